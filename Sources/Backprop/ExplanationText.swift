// The notation of api-contract.md and its three renderings: Unicode for `symbol`/`expression`,
// LaTeX, and plain text for a terminal; and the derivation written as one equation.
// Not the chain rule itself (Explanation.swift chooses the factors and their values); nothing here
// computes a derivative, it only writes down formulas and substitutes the numbers it is given.

/// The three ways a formula is written.
enum Notation {
    /// `δ^{(2)}_{1} w^{(2)}_{11}`, `∂E/∂z^{(1)}_{1}`: the contract's notation, Unicode operators.
    case unicode
    /// `\delta^{(2)}_{1} w^{(2)}_{11}`, `\frac{\partial E}{\partial z^{(1)}_{1}}`.
    case latex
    /// `δ^(2)_1·w^(2)_11`, `∂E/∂z^(1)_1`: lighter, for a terminal.
    case plain

    var minus: String { self == .latex ? " - " : " − " }
    /// Between factors of the chain, and between numbers.
    var times: String { self == .latex ? " \\cdot " : " · " }
    var ellipsis: String { self == .latex ? "\\dots" : "…" }
}

/// A named quantity of the network. Indices are as printed: 1-based numbers, or a letter (`k`).
///
///     w^{(l)}_{ji}  weight into unit j of layer l from unit i below
///     a^{(l)}_{j}   weighted sum        z^{(l)}_{j}  output
///     y_{j}, t_{j}  network output and target      x_{i}  network input
///     δ^{(l)}_{j}   ∂E/∂a^{(l)}_{j}
enum Quantity {
    case weight(layer: Int, unit: String, input: String)
    case weightedSum(layer: Int, unit: String)
    case output(layer: Int, unit: String)
    case networkOutput(unit: String)
    case target(unit: String)
    case input(unit: String)
    case delta(layer: Int, unit: String)

    func written(_ n: Notation) -> String {
        switch self {
        case .weight(let l, let j, let i):
            // Two subscripts run together (`11`) only while both are single characters.
            let sub = j.count == 1 && i.count == 1 ? j + i : j + "," + i
            return Self.indexed("w", layer: l, sub, n)
        case .weightedSum(let l, let j): return Self.indexed("a", layer: l, j, n)
        case .output(let l, let j): return Self.indexed("z", layer: l, j, n)
        case .networkOutput(let j): return Self.indexed("y", layer: nil, j, n)
        case .target(let j): return Self.indexed("t", layer: nil, j, n)
        case .input(let i): return Self.indexed("x", layer: nil, i, n)
        case .delta(let l, let j): return Self.indexed(n == .latex ? "\\delta" : "δ", layer: l, j, n)
        }
    }

    private static func indexed(_ letter: String, layer: Int?, _ sub: String, _ n: Notation) -> String {
        let sup = layer.map { n == .plain ? "^(\($0))" : "^{(\($0))}" } ?? ""
        return letter + sup + (n == .plain ? "_" + sub : "_{" + sub + "}")
    }
}

/// The name of one chain-rule factor: a partial derivative, or δ standing for two fused factors.
enum FactorName {
    /// ∂numerator/∂denominator; a nil numerator is the error E.
    case partial(of: Quantity?, by: Quantity)
    case quantity(Quantity)

    func written(_ n: Notation) -> String {
        switch self {
        case .partial(let top, let bottom):
            let t = top?.written(n) ?? "E"
            let b = bottom.written(n)
            return n == .latex ? "\\frac{\\partial \(t)}{\\partial \(b)}" : "∂\(t)/∂\(b)"
        case .quantity(let q):
            return q.written(n)
        }
    }
}

/// A formula over named quantities, written either with symbols or with the numbers substituted.
indirect enum Formula {
    /// A quantity and its value.
    case quantity(Quantity, Double)
    /// A literal number of the formula itself (`1`, `2`, `0.01`), the same in both forms.
    case constant(String)
    /// a + b + …; an `.ellipsis` term abbreviates a long sum.
    case sum([Formula])
    case ellipsis
    case difference(Formula, Formula)
    /// a·b: side by side with symbols (`δ w`), with an explicit `·` between numbers.
    case product(Formula, Formula)
    /// a(b): a coefficient before a bracketed term (`z(1 − z)`, `2(y − t)`, `0.01[a ≤ 0]`).
    case juxtaposed(Formula, Formula)
    case square(Formula)
    case quotient(Formula, Formula)
    /// The Iverson bracket [a > 0] (1 when true, 0 when false); `.nonPositive` is [a ≤ 0].
    case positive(Formula)
    case nonPositive(Formula)
    /// A formula too coupled to substitute into term by term (softmax's Jacobian product):
    /// written as given, and as its value when numbers are substituted.
    case verbatim(unicode: String, latex: String, plain: String, value: Double)

    /// A sum or difference: bracketed when it is a factor of something.
    var isCompound: Bool {
        switch self {
        case .sum, .difference: true
        default: false
        }
    }

    /// The formula in notation n; with `numbers`, every quantity is replaced by its value.
    func written(_ n: Notation, numbers: Bool) -> String {
        switch self {
        case .quantity(let q, let v):
            return numbers ? formatNumber(v, n, bracketNegative: true) : q.written(n)
        case .constant(let s):
            return s
        case .sum(let terms):
            return terms.map { $0.operand(n, numbers) }.joined(separator: " + ")
        case .ellipsis:
            return n.ellipsis
        case .difference(let a, let b):
            return a.written(n, numbers: numbers) + n.minus + b.operand(n, numbers)
        case .product(let a, let b):
            let sep = numbers ? n.times : (n == .plain ? "·" : " ")
            return a.operand(n, numbers) + sep + b.operand(n, numbers)
        case .juxtaposed(let a, let b):
            let right = b.operand(n, numbers)
            let bracketed = right.hasPrefix("(") || right.hasPrefix("[")
            let sep = bracketed ? "" : (numbers ? n.times : (n == .plain ? "·" : " "))
            return a.operand(n, numbers) + sep + right
        case .square(let a):
            let base = a.written(n, numbers: numbers)
            // Symbols carry their own super- and subscripts, so they are bracketed before squaring
            // (`z^{(1)}_{1}^{2}` is not valid LaTeX).
            // A negative number arrives bracketed already; one in LaTeX's `10^{…}` form needs brackets.
            let wrapped = numbers && !a.isCompound && !base.contains("^") ? base : "(" + base + ")"
            return wrapped + (n == .latex ? "^{2}" : "²")
        case .quotient(let a, let b):
            if n == .latex { return "\\frac{" + a.written(n, numbers: numbers) + "}{" + b.written(n, numbers: numbers) + "}" }
            return a.operand(n, numbers) + "/" + b.operand(n, numbers)
        case .positive(let a):
            return "[" + a.written(n, numbers: numbers) + " > 0]"
        case .nonPositive(let a):
            return "[" + a.written(n, numbers: numbers) + (n == .latex ? " \\le 0]" : " ≤ 0]")
        case .verbatim(let u, let l, let p, let v):
            if numbers { return formatNumber(v, n, bracketNegative: true) }
            switch n {
            case .unicode: return u
            case .latex: return l
            case .plain: return p
            }
        }
    }

    /// Written as an operand of a product: bracketed when compound.
    func operand(_ n: Notation, _ numbers: Bool) -> String {
        let s = written(n, numbers: numbers)
        return isCompound ? "(" + s + ")" : s
    }
}

/// A float64 in its shortest round-trip form (`description`). In LaTeX an exponent becomes
/// `\times 10^{…}`; a negative number is bracketed where it stands after an operator.
func formatNumber(_ v: Double, _ n: Notation, bracketNegative: Bool = false) -> String {
    var s = v.description
    if n == .latex, let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        let mantissa = String(s[..<e])
        let exponent = Int(s[s.index(after: e)...]) ?? 0
        s = (mantissa == "1" ? "" : mantissa + " \\times ") + "10^{\(exponent)}"
    }
    return bracketNegative && v.sign == .minus ? "(" + s + ")" : s
}

/// One factor of the chain as the derivation writes it.
struct DerivedFactor {
    var name: FactorName
    var formula: Formula
    var value: Double

    /// The public form: `symbol` and `expression` in Unicode, `latex` as `symbol = expression`.
    var chainFactor: ChainFactor {
        ChainFactor(symbol: name.written(.unicode), expression: formula.written(.unicode, numbers: false),
                    latex: name.written(.latex) + " = " + formula.written(.latex, numbers: false), value: value)
    }
}

/// The reduction over a batch, as it is written before a bracketed per-sample product.
struct BatchForm {
    var samples: Int
    var reduction: Reduction

    func wrap(_ body: String, _ n: Notation) -> String {
        switch (n, reduction) {
        case (.latex, .mean): "\\frac{1}{\(samples)} \\sum_{n} \\left[" + body + "\\right]_{n}"
        case (.latex, .sum): "\\sum_{n} \\left[" + body + "\\right]_{n}"
        case (_, .mean): "(1/\(samples)) Σ_n [" + body + "]_n"
        case (_, .sum): "Σ_n [" + body + "]_n"
        }
    }
}

/// The derivation as one LaTeX display equation and as plain text.
///
/// One sample:
///
///     ∂E/∂w = names of the factors = their formulas = formulas with numbers = factor values = ∂E/∂w
///
/// A batch (N > 1): the reduction of the per-sample product, written with names and formulas, equals
/// the gradient; then sample 0's product with numbers, which is one term of that reduction.
/// Consecutive steps that would read the same are written once.
func writeDerivation(weight: Quantity, factors: [DerivedFactor], gradient: Double, batch: BatchForm?,
                     weightValue: Double, learningRate: Double, updated: Double, note: String?) -> (latex: String, text: String) {
    func chain(_ n: Notation, _ piece: (DerivedFactor) -> String) -> String {
        factors.map(piece).joined(separator: n.times)
    }
    func steps(_ n: Notation) -> (symbolic: [String], sample: [String]) {
        let names = chain(n) { $0.name.written(n) }
        let formulas = chain(n) { $0.formula.operand(n, false) }
        let numbers = chain(n) { $0.formula.operand(n, true) }
        let values = chain(n) { formatNumber($0.value, n, bracketNegative: true) }
        var product = 1.0
        for f in factors { product *= f.value }
        if let batch {
            return ([batch.wrap(names, n), batch.wrap(formulas, n), formatNumber(gradient, n)],
                    [numbers, values, formatNumber(product, n)])
        }
        return ([names, formulas, numbers, values, formatNumber(gradient, n)], [])
    }
    func deduplicated(_ s: [String]) -> [String] {
        var out: [String] = []
        for x in s where x != out.last { out.append(x) }
        return out
    }

    let lhsLatex = FactorName.partial(of: nil, by: weight).written(.latex)
    let latexSteps = steps(.latex)
    var latex = lhsLatex + " = " + deduplicated(latexSteps.symbolic).joined(separator: " = ")
    if !latexSteps.sample.isEmpty {
        latex += " \\qquad \\text{sample 0: } " + deduplicated(latexSteps.sample).joined(separator: " = ")
    }

    let lhs = FactorName.partial(of: nil, by: weight).written(.plain) + " = "
    let indent = String(repeating: " ", count: lhs.count - 2) + "= "
    let plainSteps = steps(.plain)
    var lines = deduplicated(plainSteps.symbolic).enumerated().map { ($0.offset == 0 ? lhs : indent) + $0.element }
    if !plainSteps.sample.isEmpty {
        lines.append("sample 0: " + deduplicated(plainSteps.sample).joined(separator: " = "))
    }
    let w = weight.written(.plain)
    lines.append("updated: \(w) − η·∂E/∂\(w) = \(formatNumber(weightValue, .plain)) − \(formatNumber(learningRate, .plain))·"
                 + "\(formatNumber(gradient, .plain, bracketNegative: true)) = \(formatNumber(updated, .plain))")
    if let note { lines.append("note: " + note) }
    return (latex, lines.joined(separator: "\n"))
}
