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

extension Network {
    /// Σ units over the layers: what the work limit charges per sample beyond the parameters.
    var unitCount: Int { layers.reduce(0) { add($0, $1.units) } }
}

/// What every computing route reads: the network, the samples, the loss and its reduction.
struct ProblemRequest {
    /// As sent: `Problem` checks it.
    var network: Network
    var samples: Samples
    var loss: LossFunction
    var reduction: Reduction

    /// - Parameter targetRequired: /gradients, /step and /explain need targets; /forward does not.
    init(_ body: inout FieldObject, targetRequired: Bool) throws(APIError) {
        let network = try body.object("network") { o throws(APIError) in try Network.read(&o) }
        self.network = try body.require(network, "network", "the network (an object with layers)")
        samples = try Samples(&body, targetRequired: targetRequired, at: "")
        loss = try body.name("loss", noun: "loss", default: .halfSSE)
        reduction = try body.name("reduction", noun: "reduction", default: .mean)
    }

    var inputs: Matrix { samples.inputs }
    var form: SampleForm { samples.form }

    /// How many numbers were read from the body: the parameters and the samples.
    var parsedNumbers: Int {
        add(network.parameterCount, add(samples.inputs.storage.count, samples.targets?.storage.count ?? 0))
    }

    /// The limits' issues for `passes` passes over the samples, work reported at `workPointer`
    /// (default: the samples).
    func limitIssues(_ limits: Limits, passes: Int, workPointer: String? = nil) -> [FieldIssue] {
        limits.issues(parameters: network.parameterCount, units: network.unitCount, samples: inputs.rows, layers: network.layers.count,
                      passes: passes, samplesPointer: form.samplesPointer, workPointer: workPointer ?? form.samplesPointer)
    }

    /// `passes` passes' work in the limits' units (see `Limits.work`).
    func work(_ limits: Limits, passes: Int) -> Int {
        limits.work(parameters: network.parameterCount, units: network.unitCount, samples: inputs.rows, layers: network.layers.count,
                    passes: passes) ?? Int.max
    }

    /// The checked problem, or the core's issues pointed at this request's fields (422).
    func problem() throws(APIError) -> Problem {
        try form.compute { () throws(BackpropError) in
            try Problem(network: network, inputs: samples.inputs, targets: samples.targets, loss: loss, reduction: reduction)
        }
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
func checkLearningRate(_ rate: Double, in body: inout FieldObject) {
    if !rate.isFinite || rate < 0 { body.invalid("learningRate", "expected a finite number ≥ 0, found \(rate)") }
}

private func range(_ n: Int) -> String {
    n > 0 ? " (0…\(n - 1))" : ""
}
