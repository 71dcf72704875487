// The request bodies of the POST routes, read from parsed JSON into the core's specs.
// Types and presence are checked here (400 with a pointer); meaning is checked by the core (422).
// Unknown members are ignored, so clients may send more than a route reads.

import Backprop
import JSONCodec

/// The fields every computing route shares: network, samples, loss, reduction.
struct ProblemRequest {
    var spec: ProblemSpec

    /// - Parameter targetRequired: /gradients, /step and /explain need targets; /forward does not.
    init(_ body: FieldObject, targetRequired: Bool) throws(APIError) {
        let network = try NetworkRequest(try body.required("network", "the network (an object with layers)")).spec

        let hasInput = body.has("input"), hasInputs = body.has("inputs")
        if hasInput && hasInputs {
            throw APIError.badField(body.pointer + "/inputs", "send either input (one sample) or inputs (a batch), not both")
        }
        let inputs: SamplesSpec
        if let f = body["input"] {
            inputs = .single(try f.vector())
        } else if let f = body["inputs"] {
            inputs = .batch(try f.matrix())
        } else {
            throw APIError.badField(body.pointer + "/input", "required: input (a vector, one sample) or inputs (a matrix, one row per sample)")
        }

        let targetKey = inputs.isBatch ? "targets" : "target"
        let otherKey = inputs.isBatch ? "target" : "targets"
        if body.has(otherKey) {
            throw APIError.badField(body.pointer + "/" + otherKey,
                                    inputs.isBatch ? "with inputs (a batch) send targets, one row per input row"
                                                   : "with input (one sample) send target, a vector")
        }
        var targets: SamplesSpec?
        if let f = body[targetKey] {
            targets = inputs.isBatch ? .batch(try f.matrix()) : .single(try f.vector())
        } else if targetRequired {
            throw APIError.badField(body.pointer + "/" + targetKey,
                                    "required: the \(targetKey) the outputs are compared with")
        }

        spec = ProblemSpec(
            network: network,
            inputs: inputs,
            targets: targets,
            loss: try body["loss"]?.string(),
            reduction: try body["reduction"]?.string()
        )
    }
}

/// `network`: `{ "layers": [ { "weights", "biases"?, "activation"? } ] }`.
struct NetworkRequest {
    var spec: NetworkSpec

    init(_ field: Field) throws(APIError) {
        let o = try field.object()
        let layers = try o.required("layers", "the layers (an array of objects with weights)").array()
        var specs: [LayerSpec] = []
        specs.reserveCapacity(layers.count)
        for layer in layers {
            let l = try layer.object()
            specs.append(LayerSpec(
                weights: try l.required("weights", "the weights (one row per unit)").matrix(),
                biases: try l["biases"]?.vector(),
                activation: try l["activation"]?.string()
            ))
        }
        spec = NetworkSpec(layers: specs)
    }
}

/// /step's options: learningRate, steps, updateBiases, details.
struct StepRequest {
    var problem: ProblemRequest
    var options: StepOptions
    /// false answers only network, loss, losses and finalLoss.
    var details: Bool

    init(_ body: FieldObject) throws(APIError) {
        problem = try ProblemRequest(body, targetRequired: true)
        options = StepOptions(
            learningRate: try body["learningRate"]?.number() ?? 1,
            steps: try body["steps"]?.integer() ?? 1,
            updateBiases: try body["updateBiases"]?.bool() ?? true
        )
        details = try body["details"]?.bool() ?? true
    }
}

/// /explain: the problem, the weight `{layer, unit, input}`, and learningRate.
struct ExplainRequest {
    var problem: ProblemRequest
    var weight: WeightIndex
    var learningRate: Double

    init(_ body: FieldObject) throws(APIError) {
        problem = try ProblemRequest(body, targetRequired: true)
        let w = try body.required("weight", "the weight to explain: {\"layer\", \"unit\", \"input\"} (0-based)").object()
        weight = WeightIndex(
            layer: try w.required("layer", "the layer index (0-based)").integer(),
            unit: try w.required("unit", "the unit index within the layer (0-based)").integer(),
            input: try w.required("input", "the input index of the unit (0-based)").integer()
        )
        learningRate = try body["learningRate"]?.number() ?? 1
    }
}

/// /init: sizes, activation or activations, biases, scheme, seed.
struct InitRequest {
    var spec: InitSpec
    var activationsKey: String

    init(_ body: FieldObject) throws(APIError) {
        let sizes = try body.required("sizes", "the layer sizes: inputs, then units per layer, e.g. [2, 2, 2]").array()
        var ints: [Int] = []
        for s in sizes { ints.append(try s.integer()) }

        if body.has("activation") && body.has("activations") {
            throw APIError.badField(body.pointer + "/activations", "send either activation (one for all layers) or activations (one per layer), not both")
        }
        var names = ["sigmoid"]  // the default activation, for every layer
        var key = "activation"
        if let f = body["activations"] {
            key = "activations"
            names = []
            for a in try f.array() { names.append(try a.string()) }
        } else if let f = body["activation"] {
            names = [try f.string()]
        }

        let seed = try body["seed"]?.integer() ?? 0
        if seed < 0 {
            throw APIError.badValue(body.pointer + "/seed", "expected an integer ≥ 0, found \(seed)")
        }
        spec = InitSpec(sizes: ints, activations: names, biases: try body["biases"]?.bool() ?? true,
                        scheme: try body["scheme"]?.string(), seed: UInt64(seed))
        activationsKey = key
    }
}
