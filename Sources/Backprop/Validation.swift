// Turns a spec (nested arrays and names as sent) into checked values, or into a BackpropError that
// names every offending field: what was expected and what was found. Limits are checked from the
// spec's counts before any matrix is built. Not a JSON layer: paths are request field names.

/// A network, its samples and its loss, all checked to fit together.
public struct Problem: Sendable, Equatable {
    public var network: Network
    /// x, N×I: one row per sample.
    public var inputs: Matrix
    /// t, N×K: one row per sample; nil for a forward pass without targets.
    public var targets: Matrix?
    public var loss: LossFunction
    public var reduction: Reduction
    /// True when the samples came as `inputs` (a batch), false for a single `input`.
    public var isBatch: Bool

    public init(network: Network, inputs: Matrix, targets: Matrix?, loss: LossFunction = .halfSSE, reduction: Reduction = .mean, isBatch: Bool) {
        self.network = network
        self.inputs = inputs
        self.targets = targets
        self.loss = loss
        self.reduction = reduction
        self.isBatch = isBatch
    }
}

/// Collects issues of one kind-ranked validation pass, up to a cap so a huge bad matrix does not
/// produce a huge error.
struct IssueCollector {
    static let cap = 20
    private(set) var issues: [(BackpropError.Kind, FieldIssue)] = []

    /// The path and message are built only when the issue is kept: validation of a valid
    /// request (the common case) allocates no paths or messages.
    mutating func add(_ kind: BackpropError.Kind, _ path: @autoclosure () -> FieldPath, _ message: @autoclosure () -> String) {
        if issues.count < Self.cap { issues.append((kind, FieldIssue(path(), message()))) }
    }

    var isEmpty: Bool { issues.isEmpty }

    /// Throws everything collected; the kind is the first issue's (the status follows from it).
    func throwIfAny() throws(BackpropError) {
        guard let first = issues.first else { return }
        throw BackpropError(first.0, issues.map(\.1))
    }
}

extension ProblemSpec {
    /// Checks shapes, names, domains and limits, then builds the matrices.
    ///
    /// - Parameters:
    ///   - requireTargets: true for gradients and steps, which need a target per sample.
    ///   - options: the step options when this problem will be trained; their steps count toward the work limit.
    public func validated(limits: Limits = .default, requireTargets: Bool, options: StepOptions? = nil) throws(BackpropError) -> Problem {
        var c = IssueCollector()
        let inputKey = inputs.isBatch ? "inputs" : "input"
        let targetKey = inputs.isBatch ? "targets" : "target"

        if let options { options.check(limits: limits, into: &c) }
        try c.throwIfAny()

        // Limits next, from counts alone: a request far too large is refused before it is scanned
        // and before anything is allocated.
        let parameters = network.layers.reduce(0) { $0 + $1.weights.count * ($1.weights.first?.count ?? 0) + ($1.biases?.count ?? 0) }
        let samples = inputs.count
        let passes = (options?.steps ?? 0) + 1
        if parameters > limits.maxParameters {
            c.add(.limitExceeded, .root.key("network"), "the network has \(parameters) parameters; the limit is \(limits.maxParameters)")
        }
        if samples > limits.maxBatch {
            c.add(.limitExceeded, .root.key(inputKey), "the batch has \(samples) samples; the limit is \(limits.maxBatch)")
        }
        let layerCount = network.layers.count
        let work = limits.work(parameters: parameters, samples: samples, layers: layerCount, passes: passes)
        if work.map({ $0 > limits.maxWork }) ?? true {
            c.add(.limitExceeded, .root.key(options == nil ? inputKey : "steps"),
                  "work = passes × (parameters × samples + \(limits.layerOverhead) × layers) = \(passes) × (\(parameters) × \(samples) + \(limits.layerOverhead) × \(layerCount))"
                      + " = \(work.map(String.init) ?? "more than \(Int.max)") exceeds the work limit \(limits.maxWork)")
        }
        try c.throwIfAny()

        let layers = network.checkedLayers(into: &c)
        let inputWidth = network.layers.first?.weights.first?.count
        checkSamples(inputs, key: inputKey, width: inputWidth, widthReason: "layer 0 has that many weights per unit", limits: limits, into: &c)

        let lossFunction = checkedName(loss, default: LossFunction.halfSSE, key: "loss", names: LossFunction.names, into: &c)
        let reductionValue = checkedName(reduction, default: Reduction.mean, key: "reduction", names: Reduction.names, into: &c)

        if let targets {
            if targets.isBatch != inputs.isBatch {
                c.add(.shapeMismatch, .root.key(inputs.isBatch ? "target" : "targets"),
                      inputs.isBatch ? "a batch of inputs needs targets (one row per input row), not a single target"
                                     : "a single input needs a single target, not targets")
            } else {
                let outputWidth = network.layers.last?.weights.count
                checkSamples(targets, key: targetKey, width: outputWidth, widthReason: "the last layer has that many units", limits: limits, into: &c)
                if targets.isBatch, targets.count != inputs.count {
                    c.add(.shapeMismatch, .root.key(targetKey), "expected \(inputs.count) rows, one per row of inputs, found \(targets.count)")
                }
            }
        } else if requireTargets {
            c.add(.shapeMismatch, .root.key(targetKey), "required: the \(targetKey) the outputs are compared with")
        }

        try c.throwIfAny()

        // Domain checks that need the names resolved.
        let outputActivation = layers.last!.activation
        if lossFunction == .crossEntropy, let targets {
            checkCrossEntropy(targets: targets, key: targetKey, outputActivation: outputActivation, into: &c)
        }
        try c.throwIfAny()

        return Problem(
            network: Network(layers: layers),
            inputs: inputs.matrix,
            targets: targets?.matrix,
            loss: lossFunction,
            reduction: reductionValue,
            isBatch: inputs.isBatch
        )
    }

    /// One vector or a batch of rows: non-empty, rectangular, of the width the network needs, finite.
    private func checkSamples(_ samples: SamplesSpec, key: String, width: Int?, widthReason: String, limits: Limits, into c: inout IssueCollector) {
        func path() -> FieldPath { .root.key(key) }
        switch samples {
        case .single(let v):
            checkVector(v, at: path(), width: width, reason: widthReason, into: &c)
        case .batch(let rows):
            if rows.isEmpty { c.add(.shapeMismatch, path(), "a batch needs at least one row"); return }
            if rows.count > limits.maxBatch { return }  // reported with the limits; do not scan a huge batch
            for (n, row) in rows.enumerated() {
                checkVector(row, at: path().index(n), width: width, reason: widthReason, into: &c)
            }
        }
    }

    private func checkVector(_ v: [Double], at path: @autoclosure () -> FieldPath, width: Int?, reason: String, into c: inout IssueCollector) {
        if let width, v.count != width {
            c.add(.shapeMismatch, path(), "expected \(width) numbers (\(reason)), found \(v.count)")
            return
        }
        if v.isEmpty { c.add(.shapeMismatch, path(), "expected at least one number, found none") }
        checkFinite(v, at: path(), into: &c)
    }

    private func checkCrossEntropy(targets: SamplesSpec, key: String, outputActivation: Activation, into c: inout IssueCollector) {
        guard LossFunction.crossEntropy.fusesWithOutput(outputActivation) else {
            c.add(.invalidValue, .root.key("loss"), "cross_entropy needs a softmax or sigmoid output layer; the last layer is \(outputActivation.rawValue)")
            return
        }
        for (n, row) in targets.rows.enumerated() {
            let rowPath = targets.isBatch ? FieldPath.root.key(key).index(n) : FieldPath.root.key(key)
            for (k, t) in row.enumerated() where !(0...1).contains(t) {
                c.add(.invalidValue, rowPath.index(k), "cross_entropy targets must lie in [0, 1], found \(t)")
            }
            if outputActivation == .softmax {
                let sum = row.reduce(0, +)
                if abs(sum - 1) > 1e-9 {
                    c.add(.invalidValue, rowPath, "cross_entropy after softmax needs targets that sum to 1 (a probability distribution), found a sum of \(sum)")
                }
            }
        }
    }
}

extension NetworkSpec {
    /// Checks every layer and that each layer's rows are as wide as the layer below has units.
    /// Returns the layers, or none when there is any issue. A layer is built as soon as it and every
    /// layer before it have checked clean, with its resolved activation at hand (no array of them);
    /// what was built is discarded if a later layer has an issue.
    func checkedLayers(into c: inout IssueCollector) -> [DenseLayer] {
        // Paths as functions: built only if an issue is reported.
        func layersPath() -> FieldPath { FieldPath.root.key("network").key("layers") }
        if layers.isEmpty {
            c.add(.shapeMismatch, layersPath(), "a network needs at least one layer")
            return []
        }
        var checked: [DenseLayer] = []
        checked.reserveCapacity(layers.count)
        // By index, never a copy of a layer or a row: each copy would retain its arrays (atomics)
        // only to release them again.
        for l in layers.indices {
            func p() -> FieldPath { layersPath().index(l) }
            func weightsPath() -> FieldPath { p().key("weights") }
            let activation = checkedName(layers[l].activation, default: Activation.sigmoid, key: "activation", names: Activation.names, at: p(), into: &c)
            let units = layers[l].weights.count
            guard units > 0 else {
                c.add(.shapeMismatch, weightsPath(), "expected at least one row (one per unit), found none")
                continue
            }
            let width = layers[l].weights[0].count
            if l > 0 {
                let below = layers[l - 1].weights.count
                if below > 0, width != below {
                    c.add(.shapeMismatch, weightsPath().index(0),
                          "expected \(below) weights (one per unit of layer \(l - 1)), found \(width)")
                }
            }
            if width == 0 { c.add(.shapeMismatch, weightsPath().index(0), "expected at least one weight, found none") }
            for j in 0..<units {
                let found = layers[l].weights[j].count
                if j > 0, found != width {
                    c.add(.shapeMismatch, weightsPath().index(j), "expected \(width) weights like row 0, found \(found)")
                }
                checkFinite(layers[l].weights[j], at: weightsPath().index(j), into: &c)
            }
            if let found = layers[l].biases?.count {
                if found != units {
                    c.add(.shapeMismatch, p().key("biases"), "expected \(units) biases (one per unit), found \(found)")
                }
                checkFinite(layers[l].biases!, at: p().key("biases"), into: &c)
            }
            if c.isEmpty {
                checked.append(DenseLayer(weights: Matrix(rectangular: layers[l].weights), biases: layers[l].biases, activation: activation))
            }
        }
        return c.isEmpty ? checked : []
    }
}

extension SamplesSpec {
    /// The checked samples as an N×I matrix. A single vector is one row as it is: the matrix
    /// shares the vector's storage rather than copying it.
    var matrix: Matrix {
        switch self {
        case .single(let v): Matrix(rows: 1, cols: v.count, storage: v)
        case .batch(let rows): Matrix(rectangular: rows)
        }
    }
}

extension StepOptions {
    func check(limits: Limits, into c: inout IssueCollector) {
        if steps < 1 { c.add(.invalidValue, .root.key("steps"), "expected at least 1 step, found \(steps)") }
        if steps > limits.maxSteps { c.add(.limitExceeded, .root.key("steps"), "\(steps) steps exceed the limit of \(limits.maxSteps)") }
        if !learningRate.isFinite || learningRate < 0 {
            c.add(.invalidValue, .root.key("learningRate"), "expected a finite number ≥ 0, found \(learningRate)")
        }
    }
}

/// Resolves an optional name to its enum case, reporting the accepted names when it is unknown.
private func checkedName<T: RawRepresentable>(_ name: String?, default value: T, key: String, names: @autoclosure () -> String, at path: @autoclosure () -> FieldPath = .root, into c: inout IssueCollector) -> T where T.RawValue == String {
    // The default is also the name most requests spell out: one comparison instead of the
    // enum's lookup through its names (~200 instructions a name, callgrind).
    guard let name, name != value.rawValue else { return value }
    guard let resolved = T(rawValue: name) else {
        c.add(.invalidValue, path().key(key), "unknown \(key) \"\(name)\"; expected one of \(names())")
        return value
    }
    return resolved
}

/// Reports the first non-finite number of a vector (JSON cannot carry one, Swift callers can).
private func checkFinite(_ v: [Double], at path: @autoclosure () -> FieldPath, into c: inout IssueCollector) {
    if let i = v.firstIndex(where: { !$0.isFinite }) {
        c.add(.invalidValue, path().index(i), "expected a finite number, found \(v[i])")
    }
}
