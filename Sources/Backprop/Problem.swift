// A problem: a network, its samples, and the loss that compares outputs with targets, checked to
// fit together when it is made. Every computation of the core runs on a Problem, so nothing
// unchecked reaches the math. Not a parser: names are already enums and arrays already matrices.

/// A network, the samples it is run on, and how the loss is measured, all known to fit.
public struct Problem: Sendable, Equatable {
    public var network: Network
    /// x, N×I: one row per sample.
    public var inputs: Matrix
    /// t, N×K: one row per sample; nil for a forward pass without targets.
    public var targets: Matrix?
    public var loss: LossFunction
    public var reduction: Reduction

    /// Checks every shape, number and domain, reporting every issue found (up to a cap):
    ///
    ///     network   at least one layer; every layer has units and inputs, one bias per unit when
    ///               it has biases, and as many inputs as the layer below has units
    ///     inputs    N ≥ 1 rows of I numbers, I the first layer's inputs
    ///     targets   N rows of K numbers, K the last layer's units
    ///     numbers   all finite
    ///     loss      cross_entropy only after softmax or sigmoid, with targets in [0, 1]
    ///               (after softmax, each row summing to 1)
    public init(network: Network, inputs: Matrix, targets: Matrix?, loss: LossFunction = .halfSSE,
                reduction: Reduction = .mean) throws(BackpropError) {
        var c = IssueCollector()
        network.check(into: &c)
        let inputWidth = network.layers.first?.inputs
        checkSamples(inputs, all: .inputs, part: ProblemPart.input(sample:), value: ProblemPart.inputValue(sample:input:),
                     width: inputWidth, reason: "layer 0 has that many weights per unit", into: &c)
        if let targets {
            if targets.rows != inputs.rows {
                c.add(.shapeMismatch, .targets, "expected \(counted(inputs.rows, "row")), one per row of inputs, found \(targets.rows)")
            } else {
                checkSamples(targets, all: .targets, part: ProblemPart.target(sample:), value: ProblemPart.targetValue(sample:output:),
                             width: network.layers.last?.units, reason: "the last layer has that many units", into: &c)
            }
        }
        try c.throwIfAny()
        if loss == .crossEntropy, let targets {
            checkCrossEntropy(targets, outputActivation: network.layers.last!.activation, into: &c)
        }
        try c.throwIfAny()
        self.network = network
        self.inputs = inputs
        self.targets = targets
        self.loss = loss
        self.reduction = reduction
    }
}

/// Collects the issues of one check, up to a cap so that a huge bad matrix does not produce a
/// huge error. Messages are built only for issues that are kept.
struct IssueCollector {
    static let cap = 20
    private(set) var issues: [(BackpropError.Kind, ProblemIssue)] = []

    mutating func add(_ kind: BackpropError.Kind, _ part: ProblemPart, _ message: @autoclosure () -> String) {
        if issues.count < Self.cap { issues.append((kind, ProblemIssue(part, message()))) }
    }

    var isEmpty: Bool { issues.isEmpty }

    /// Throws everything collected; the kind is the first issue's.
    func throwIfAny() throws(BackpropError) {
        guard let first = issues.first else { return }
        throw BackpropError(first.0, issues.map(\.1))
    }
}

extension Network {
    /// Every layer has units and inputs, fits the layer below, has one bias per unit (if any),
    /// and holds finite numbers only.
    func check(into c: inout IssueCollector) {
        if layers.isEmpty {
            c.add(.shapeMismatch, .layers, "a network needs at least one layer")
            return
        }
        for l in layers.indices {
            let layer = layers[l]
            guard layer.units > 0 else {
                c.add(.shapeMismatch, .weights(layer: l), "expected at least one row (one per unit), found none")
                continue
            }
            if l > 0, layers[l - 1].units > 0, layer.inputs != layers[l - 1].units {
                let below = layers[l - 1].units
                c.add(.shapeMismatch, .weightRow(layer: l, unit: 0),
                      "expected \(counted(below, "weight")) (one per unit of layer \(l - 1)), found \(layer.inputs)")
            }
            if layer.inputs == 0 { c.add(.shapeMismatch, .weightRow(layer: l, unit: 0), "expected at least one weight, found none") }
            if let e = layer.weights.storage.firstIndex(where: { !$0.isFinite }) {
                c.add(.invalidValue, .weight(layer: l, unit: e / layer.inputs, input: e % layer.inputs),
                      "expected a finite number, found \(layer.weights.storage[e])")
            }
            if let b = layer.biases {
                if b.count != layer.units {
                    c.add(.shapeMismatch, .biases(layer: l), "expected \(counted(layer.units, "bias", "biases")) (one per unit), found \(b.count)")
                }
                if let j = b.firstIndex(where: { !$0.isFinite }) {
                    c.add(.invalidValue, .bias(layer: l, unit: j), "expected a finite number, found \(b[j])")
                }
            }
        }
    }
}

/// Rows of samples (inputs or targets): as wide as the network needs, non-empty, finite.
/// A batch with the wrong width reports each sample (up to the cap), as a person fixes them.
private func checkSamples(_ m: Matrix, all: ProblemPart, part: (Int) -> ProblemPart, value: (Int, Int) -> ProblemPart,
                          width: Int?, reason: String, into c: inout IssueCollector) {
    if m.rows == 0 {
        c.add(.shapeMismatch, all, "a batch needs at least one row")
        return
    }
    if let width, m.cols != width {
        for n in 0..<min(m.rows, IssueCollector.cap) {
            c.add(.shapeMismatch, part(n), "expected \(counted(width, "number")) (\(reason)), found \(m.cols)")
        }
        return
    }
    if m.cols == 0 {
        c.add(.shapeMismatch, part(0), "expected at least one number, found none")
        return
    }
    for n in 0..<m.rows {
        if let k = m.row(n).firstIndex(where: { !$0.isFinite }) {
            c.add(.invalidValue, value(n, k - n * m.cols), "expected a finite number, found \(m.storage[k])")
        }
    }
}

/// Cross-entropy's domain: a softmax or sigmoid output, targets in [0, 1], and after softmax
/// targets that sum to 1 (which is what makes its δ = y − t exact).
private func checkCrossEntropy(_ t: Matrix, outputActivation: Activation, into c: inout IssueCollector) {
    guard LossFunction.crossEntropy.fusesWithOutput(outputActivation) else {
        c.add(.invalidValue, .loss, "cross_entropy needs a softmax or sigmoid output layer; the last layer is \(outputActivation.rawValue)")
        return
    }
    for n in 0..<t.rows {
        var sum = 0.0
        for k in 0..<t.cols {
            let value = t[n, k]
            if !(0...1).contains(value) {
                c.add(.invalidValue, .targetValue(sample: n, output: k), "cross_entropy targets must lie in [0, 1], found \(value)")
            }
            sum += value
        }
        if outputActivation == .softmax, abs(sum - 1) > 1e-9 {
            c.add(.invalidValue, .target(sample: n),
                  "cross_entropy after softmax needs targets that sum to 1 (a probability distribution), found a sum of \(sum)")
        }
    }
}
