// The one error the core throws: what is wrong, and where in the problem, by layer, unit and
// sample index. Not a request type: the core knows no field names, JSON Pointers or statuses;
// the API edge maps a `ProblemPart` to the field it came from.

/// A part of a problem (network, samples, loss), by 0-based indices.
///
/// Layers are l = 0…L−1 (the math's l = 1…L), units j of a layer, inputs i of a unit (units of the
/// layer below, or the network's inputs), samples n of a batch, outputs k.
public enum ProblemPart: Sendable, Hashable {
    /// The network as a whole.
    case network
    /// The list of layers (e.g. when there is none).
    case layers
    /// Layer l as a whole: where a computation became non-finite.
    case layer(Int)
    /// W(l) as a whole.
    case weights(layer: Int)
    /// Row j of W(l): the weights into unit j.
    case weightRow(layer: Int, unit: Int)
    /// w_ji of layer l.
    case weight(layer: Int, unit: Int, input: Int)
    /// b(l) as a whole.
    case biases(layer: Int)
    /// b_j of layer l.
    case bias(layer: Int, unit: Int)
    /// f(l), the activation of layer l.
    case activation(layer: Int)
    /// x, every sample.
    case inputs
    /// x_n, the input of sample n.
    case input(sample: Int)
    /// x_ni.
    case inputValue(sample: Int, input: Int)
    /// t, every sample.
    case targets
    /// t_n.
    case target(sample: Int)
    /// t_nk.
    case targetValue(sample: Int, output: Int)
    /// The loss function E.
    case loss
}

/// One thing wrong with a problem, at one part of it.
public struct ProblemIssue: Sendable, Equatable {
    public var part: ProblemPart
    public var message: String

    public init(_ part: ProblemPart, _ message: String) {
        self.part = part
        self.message = message
    }
}

/// Why the core refused a problem or could not finish a computation.
public struct BackpropError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A value that is not allowed: non-finite, outside the loss's domain.
        case invalidValue
        /// Matrices and vectors whose shapes do not fit together.
        case shapeMismatch
        /// The computation overflowed to ±Infinity or produced NaN.
        case nonFinite
        /// The caller asked the computation to stop (its answer is no longer wanted).
        case stopped
    }

    public var kind: Kind
    /// At least one issue; a check reports every issue it finds (up to a cap), not just the first.
    public var issues: [ProblemIssue]

    public init(_ kind: Kind, _ issues: [ProblemIssue]) {
        precondition(!issues.isEmpty)
        self.kind = kind
        self.issues = issues
    }

    public init(_ kind: Kind, at part: ProblemPart, _ message: String) {
        self.init(kind, [ProblemIssue(part, message)])
    }

    public var description: String {
        issues.map { "\($0.part): \($0.message)" }.joined(separator: "; ")
    }
}

/// "1 bias", "2 biases": a count with its noun in the right number.
public func counted(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}
