// The request bodies of the POST routes, read into the core's typed values: a Network of
// DenseLayers, sample matrices, enum cases. Types and presence are checked here (400), unknown
// fields and names too (422); whether the values fit together is the core's check (Problem),
// whose issues come back here to be pointed at the fields they came from.

import Backprop
import JSONCodec

extension Activation: WireName {}
extension LossFunction: WireName {}
extension Reduction: WireName {}
extension InitScheme: WireName {}

extension Network {
    /// `network`: `{ "layers": [ { "weights", "biases"?, "activation"? } ] }`, as sent (unchecked).
    static func read(_ o: inout FieldObject) throws(APIError) -> Network {
        let layers = try o.objects("layers") { layer, _ throws(APIError) -> DenseLayer in
            let weights = try layer.matrix("weights", noun: "weight")
            return DenseLayer(weights: try layer.require(weights, "weights", "the weights (one row per unit)"),
                              biases: try layer.vector("biases"),
                              activation: try layer.name("activation", noun: "activation", default: .sigmoid))
        }
        return Network(layers: try o.require(layers, "layers", "the layers (an array of objects with weights)"))
    }
}

/// What every computing route reads: the network, the samples, the loss and its reduction.
struct ProblemRequest {
    /// As sent: `Problem` checks it.
    var network: Network
    /// x: one row, or one row per sample.
    var inputs: Matrix
    var targets: Matrix?
    var loss: LossFunction
    var reduction: Reduction
    /// How the samples came: answers mirror it, and errors point into it.
    var form: SampleForm

    /// - Parameter targetRequired: /gradients, /step and /explain need targets; /forward does not.
    init(_ body: inout FieldObject, targetRequired: Bool) throws(APIError) {
        let network = try body.object("network") { o throws(APIError) in try Network.read(&o) }
        self.network = try body.require(network, "network", "the network (an object with layers)")

        if body.has("input") && body.has("inputs") {
            throw APIError.badField("/inputs", "send either input (one sample) or inputs (a batch), not both")
        }
        if let v = try body.vector("input") {
            inputs = Matrix(rows: 1, cols: v.count, storage: v)
            form = SampleForm(batch: false)
        } else if let m = try body.matrix("inputs", noun: "number") {
            inputs = m
            form = SampleForm(batch: true)
        } else {
            throw APIError.badField("/input", "required: input (a vector, one sample) or inputs (a matrix, one row per sample)")
        }

        let batch = form.batch
        let (targetKey, otherKey): (StaticString, StaticString) = batch ? ("targets", "target") : ("target", "targets")
        if body.has(otherKey) {
            throw APIError.badField("/\(otherKey)", batch ? "with inputs (a batch) send targets, one row per input row"
                                                          : "with input (one sample) send target, a vector")
        }
        targets = if batch { try body.matrix("targets", noun: "number") } else { try body.vector("target").map { Matrix(rows: 1, cols: $0.count, storage: $0) } }
        if targets == nil && targetRequired {
            throw body.missing(targetKey, "the \(targetKey) the outputs are compared with")
        }
        loss = try body.name("loss", noun: "loss", default: .halfSSE)
        reduction = try body.name("reduction", noun: "reduction", default: .mean)
    }

    /// The pointer of `inputs` or `input`.
    var samplesPointer: String { form.batch ? "/inputs" : "/input" }

    /// The limits' issues for `passes` passes over the samples, work reported at `workPointer`
    /// (default: the samples).
    func limitIssues(_ limits: Limits, passes: Int, workPointer: String? = nil) -> [FieldIssue] {
        limits.issues(parameters: network.parameterCount, samples: inputs.rows, layers: network.layers.count, passes: passes,
                      samplesPointer: samplesPointer, workPointer: workPointer ?? samplesPointer)
    }

    /// `passes` passes' work in the limits' units (see `Limits.work`).
    func work(_ limits: Limits, passes: Int) -> Int {
        limits.work(parameters: network.parameterCount, samples: inputs.rows, layers: network.layers.count, passes: passes) ?? Int.max
    }

    /// The checked problem, or the core's issues pointed at this request's fields (422).
    func problem() throws(APIError) -> Problem {
        try form.compute { () throws(BackpropError) in
            try Problem(network: network, inputs: inputs, targets: targets, loss: loss, reduction: reduction)
        }
    }
}

/// How a request sent its samples: one vector (`input`, `target`) or a batch of rows (`inputs`,
/// `targets`). Answers mirror the form; the core's errors are pointed into it.
struct SampleForm: Sendable {
    var batch: Bool

    /// Runs a core computation, its errors pointed at the request's fields (422).
    func compute<T>(_ body: () throws(BackpropError) -> T) throws(APIError) -> T {
        do { return try body() } catch { throw APIError(error, pointer: pointer) }
    }

    /// The request field a part of the problem came from.
    func pointer(_ part: ProblemPart) -> String {
        let (x, t) = batch ? ("/inputs", "/targets") : ("/input", "/target")
        func layer(_ l: Int) -> String { "/network/layers/\(l)" }
        func sample(_ key: String, _ n: Int) -> String { batch ? "\(key)/\(n)" : key }
        return switch part {
        case .network: "/network"
        case .layers: "/network/layers"
        case .layer(let l): layer(l)
        case .weights(let l): layer(l) + "/weights"
        case .weightRow(let l, let j): layer(l) + "/weights/\(j)"
        case .weight(let l, let j, let i): layer(l) + "/weights/\(j)/\(i)"
        case .biases(let l): layer(l) + "/biases"
        case .bias(let l, let j): layer(l) + "/biases/\(j)"
        case .activation(let l): layer(l) + "/activation"
        case .inputs: x
        case .input(let n): sample(x, n)
        case .inputValue(let n, let i): sample(x, n) + "/\(i)"
        case .targets: t
        case .target(let n): sample(t, n)
        case .targetValue(let n, let k): sample(t, n) + "/\(k)"
        case .loss: "/loss"
        }
    }
}

/// /step: the problem and how to train on it.
struct StepRequest {
    var problem: ProblemRequest
    var options: TrainingOptions
    /// false answers only network, loss, losses and finalLoss.
    var details: Bool

    init(_ body: inout FieldObject) throws(APIError) {
        problem = try ProblemRequest(&body, targetRequired: true)
        let defaults = TrainingOptions()  // the core's defaults are the API's
        options = TrainingOptions(learningRate: try body.number("learningRate", default: defaults.learningRate),
                                  steps: try body.integer("steps", default: defaults.steps),
                                  updateBiases: try body.bool("updateBiases", default: defaults.updateBiases))
        details = try body.bool("details", default: true)
        if options.steps < 1 { body.invalid("steps", "expected at least 1 step, found \(options.steps)") }
        checkLearningRate(options.learningRate, in: &body)
    }
}

/// /explain: the problem, the weight `{layer, unit, input}` or bias `{layer, unit}`, and learningRate.
struct ExplainRequest {
    var problem: ProblemRequest
    var parameter: Parameter
    var learningRate: Double

    init(_ body: inout FieldObject) throws(APIError) {
        problem = try ProblemRequest(&body, targetRequired: true)
        if body.has("weight") && body.has("bias") {
            throw APIError.badField("/bias", "send either weight or bias, not both")
        }
        let weight = try body.object("weight") { w throws(APIError) -> Parameter in
            let (l, j, i) = (try w.integer("layer"), try w.integer("unit"), try w.integer("input"))
            return .weight(layer: try w.require(l, "layer", "the layer index (0-based)"),
                           unit: try w.require(j, "unit", "the unit index within the layer (0-based)"),
                           input: try w.require(i, "input", "the input index of the unit (0-based)"))
        }
        let bias = try body.object("bias") { b throws(APIError) -> Parameter in
            let (l, j) = (try b.integer("layer"), try b.integer("unit"))
            return .bias(layer: try b.require(l, "layer", "the layer index (0-based)"),
                         unit: try b.require(j, "unit", "the unit index within the layer (0-based)"))
        }
        parameter = try body.require(weight ?? bias, "weight",
                                     "the weight to explain: {\"layer\", \"unit\", \"input\"} (0-based), or a bias: \"bias\": {\"layer\", \"unit\"}")
        learningRate = try body.number("learningRate", default: TrainingOptions().learningRate)
        checkLearningRate(learningRate, in: &body)
    }

    /// Every index out of range for `network`, each at its field.
    func indexIssues(_ network: Network) -> [FieldIssue] {
        var found: [FieldIssue] = []
        let count = network.layers.count
        let (key, l, j) = switch parameter {
        case .weight(let l, let j, _): ("/weight", l, j)
        case .bias(let l, let j): ("/bias", l, j)
        }
        guard (0..<count).contains(l) else {
            return [FieldIssue(.invalidValue, key + "/layer", "layer \(l) is out of range: the network has \(counted(count, "layer"))\(range(count))")]
        }
        let layer = network.layers[l]
        if case .bias = parameter, layer.biases == nil {
            return [FieldIssue(.invalidValue, key + "/layer", "layer \(l) has no biases; send it with biases, or explain a weight")]
        }
        if !(0..<layer.units).contains(j) {
            found.append(FieldIssue(.invalidValue, key + "/unit",
                                    "unit \(j) is out of range: layer \(l) has \(counted(layer.units, "unit"))\(range(layer.units))"))
        }
        if case .weight(_, _, let i) = parameter, !(0..<layer.inputs).contains(i) {
            found.append(FieldIssue(.invalidValue, key + "/input",
                                    "input \(i) is out of range: each unit of layer \(l) has \(counted(layer.inputs, "input"))\(range(layer.inputs))"))
        }
        return found
    }
}

/// /init: sizes, activation or activations, biases, scheme, seed.
struct InitRequest {
    var spec: InitSpec
    /// `activation` or `activations`: where a wrong count of activations is reported.
    var activationsKey: String

    init(_ body: inout FieldObject) throws(APIError) {
        let sizes = try body.read("sizes") { f throws(APIError) in try f.elements { s throws(APIError) in try s.integer() } }
        if body.has("activation") && body.has("activations") {
            throw APIError.badField("/activations", "send either activation (one for all layers) or activations (one per layer), not both")
        }
        var activations: [Activation] = [.sigmoid]  // the default, for every layer
        activationsKey = "activation"
        if let names = try body.read("activations", { f throws(APIError) in try f.elements { a throws(APIError) in try a.string() } }) {
            activationsKey = "activations"
            activations = []
            for (k, name) in names.enumerated() {
                activations.append(body.resolve(name, noun: "activation", at: "/activations/\(k)") ?? .sigmoid)
            }
        } else {
            activations = [try body.name("activation", noun: "activation", default: .sigmoid)]
        }
        let seed = try body.integer("seed", default: 0)
        if seed < 0 { body.invalid("seed", "expected an integer ≥ 0, found \(seed)") }
        spec = InitSpec(sizes: try body.require(sizes, "sizes", "the layer sizes: inputs, then units per layer, e.g. [2, 2, 2]"),
                        activations: activations,
                        biases: try body.bool("biases", default: true),
                        scheme: try body.name("scheme", noun: "scheme", default: .xavier),
                        seed: UInt64(max(seed, 0)))
    }

    /// Sizes, the parameter limit (from the sizes alone, before allocating) and the number of
    /// activations; with none, `spec.activations` has one per layer.
    mutating func issues(_ limits: Limits) -> [FieldIssue] {
        var found: [FieldIssue] = []
        let sizes = spec.sizes
        if sizes.count < 2 {
            found.append(FieldIssue(.shapeMismatch, "/sizes", "expected at least 2 sizes (the inputs, then the units of each layer), found \(sizes.count)"))
        }
        for (k, n) in sizes.enumerated() where n < 1 {
            found.append(FieldIssue(.invalidValue, "/sizes/\(k)", "expected at least 1 \(k == 0 ? "input" : "unit"), found \(n)"))
        }
        if found.isEmpty {
            let parameters = spec.parameterCount
            if parameters.map({ $0 > limits.maxParameters }) ?? true {
                let count = parameters.map(String.init) ?? "more than \(Int.max)"
                found.append(FieldIssue(.limitExceeded, "/sizes", "the network would have \(count) parameters; the limit is \(limits.maxParameters)"))
            }
        }
        let layerCount = max(sizes.count - 1, 0)
        if spec.activations.count == 1 {
            spec.activations = Array(repeating: spec.activations[0], count: layerCount)
        } else if spec.activations.count != layerCount || layerCount == 0 {
            found.append(FieldIssue(.shapeMismatch, "/" + activationsKey,
                                    "expected one activation for every layer, or one per layer (\(layerCount)), found \(spec.activations.count)"))
        }
        return found
    }
}

/// η must be a finite number ≥ 0 (0 is allowed: it changes nothing, which is a fine experiment).
private func checkLearningRate(_ rate: Double, in body: inout FieldObject) {
    if !rate.isFinite || rate < 0 { body.invalid("learningRate", "expected a finite number ≥ 0, found \(rate)") }
}

private func range(_ n: Int) -> String {
    n > 0 ? " (0…\(n - 1))" : ""
}
