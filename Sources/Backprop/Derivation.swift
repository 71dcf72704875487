// The vocabulary of an explained derivative: the named quantities of a network (w, b, a, z, y, t,
// x, δ), chain-rule factors, and formulas over them with their values. Data only: how it is
// written (LaTeX, plain text) is the ExplanationText module's business, not the core's.

/// A subscript of a quantity: a unit by its 0-based index, or the summation index k.
public enum Subscript: Sendable, Equatable {
    case index(Int)
    /// The k of a sum over the units of a layer (Σ_k).
    case k
}

/// A named quantity of the network. Layers and units are 0-based here, as everywhere in the core.
///
///     w^{(l)}_{ji}  weight into unit j of layer l from unit i below    b^{(l)}_{j}  bias of unit j
///     a^{(l)}_{j}   weighted sum        z^{(l)}_{j}  output
///     y_{j}, t_{j}  network output and target      x_{i}  network input
///     δ^{(l)}_{j}   ∂E/∂a^{(l)}_{j}
public enum Quantity: Sendable, Equatable {
    case weight(layer: Int, unit: Int, input: Int)
    case bias(layer: Int, unit: Int)
    case weightedSum(layer: Int, unit: Subscript)
    /// A hidden layer's output z; the output layer's is `networkOutput`.
    case output(layer: Int, unit: Subscript)
    case networkOutput(unit: Subscript)
    case target(unit: Int)
    case input(unit: Int)
    case delta(layer: Int, unit: Int)
}

/// The name of one chain-rule factor: a partial derivative, or δ standing for two fused factors.
public enum FactorName: Sendable, Equatable {
    /// ∂numerator/∂denominator; a nil numerator is the error E.
    case partial(of: Quantity?, by: Quantity)
    case quantity(Quantity)
}

/// A formula over named quantities, each carrying its value, so that it can be written with
/// symbols or with the numbers substituted.
public indirect enum Formula: Sendable, Equatable {
    case quantity(Quantity, Double)
    /// A whole number of the formula itself (`1`, `2`, K).
    case integer(Int)
    /// A constant of the formula itself (leaky_relu's 0.01).
    case constant(Double)
    /// a + b + …; an `.ellipsis` term abbreviates a long sum.
    case sum([Formula])
    case ellipsis
    case difference(Formula, Formula)
    /// a·b.
    case product(Formula, Formula)
    /// a(b): a coefficient before a bracketed term (`z(1 − z)`, `2(y − t)`).
    case juxtaposed(Formula, Formula)
    case square(Formula)
    case quotient(Formula, Formula)
    /// The Iverson bracket [a > 0] (1 when true, 0 when false).
    case positive(Formula)
    /// [a ≤ 0].
    case nonPositive(Formula)
    /// A softmax layer's δ_j = z_j (∂E/∂z_j − Σ_k ∂E/∂z_k z_k): too coupled to substitute term by
    /// term, so it carries only the output z_j it is about and its value.
    case softmaxDelta(output: Quantity, value: Double)

    /// A sum or difference: bracketed when it is a factor of something.
    public var isCompound: Bool {
        switch self {
        case .sum, .difference: true
        default: false
        }
    }
}

/// One factor of the chain: its name, the formula it stands for, and its value.
public struct DerivedFactor: Sendable, Equatable {
    public var name: FactorName
    public var formula: Formula
    public var value: Double

    public init(name: FactorName, formula: Formula, value: Double) {
        self.name = name
        self.formula = formula
        self.value = value
    }
}
