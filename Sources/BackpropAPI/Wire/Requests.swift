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
        let network = try body.required("network", "the network (an object with layers)") { f throws(APIError) in try NetworkRequest(f).spec }

        if body.has("input") && body.has("inputs") {
            throw APIError.badField("/inputs", "send either input (one sample) or inputs (a batch), not both")
        }
        let inputs: SamplesSpec
        if let v = try body.optional("input", { f throws(APIError) in try f.vector() }) {
            inputs = .single(v)
        } else if let m = try body.optional("inputs", { f throws(APIError) in try f.matrix() }) {
            inputs = .batch(m)
        } else {
            throw APIError.badField("/input", "required: input (a vector, one sample) or inputs (a matrix, one row per sample)")
        }

        let targetKey: StaticString = inputs.isBatch ? "targets" : "target"
        let otherKey: StaticString = inputs.isBatch ? "target" : "targets"
        if body.has(otherKey) {
            throw APIError.badField("/\(otherKey)",
                                    inputs.isBatch ? "with inputs (a batch) send targets, one row per input row"
                                                   : "with input (one sample) send target, a vector")
        }
        let targets = try body.optional(targetKey) { f throws(APIError) -> SamplesSpec in
            inputs.isBatch ? .batch(try f.matrix()) : .single(try f.vector())
        }
        if targets == nil && targetRequired {
            throw body.missing(targetKey, "the \(targetKey) the outputs are compared with")
        }

        spec = ProblemSpec(
            network: network,
            inputs: inputs,
            targets: targets,
            loss: try body.optional("loss") { f throws(APIError) in try f.string() },
            reduction: try body.optional("reduction") { f throws(APIError) in try f.string() }
        )
    }
}

/// `network`: `{ "layers": [ { "weights", "biases"?, "activation"? } ] }`.
struct NetworkRequest {
    var spec: NetworkSpec

    init(_ field: Field) throws(APIError) {
        let layers = try field.object().required("layers", "the layers (an array of objects with weights)") { f throws(APIError) in
            try f.elements { layer throws(APIError) -> LayerSpec in
                let l = try layer.object()
                return LayerSpec(
                    weights: try l.required("weights", "the weights (one row per unit)") { w throws(APIError) in try w.matrix() },
                    biases: try l.optional("biases") { b throws(APIError) in try b.vector() },
                    activation: try l.optional("activation") { a throws(APIError) in try a.string() }
                )
            }
        }
        spec = NetworkSpec(layers: layers)
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
        let defaults = StepOptions()  // the core's defaults are the API's
        options = StepOptions(
            learningRate: try body.optional("learningRate") { f throws(APIError) in try f.number() } ?? defaults.learningRate,
            steps: try body.optional("steps") { f throws(APIError) in try f.integer() } ?? defaults.steps,
            updateBiases: try body.optional("updateBiases") { f throws(APIError) in try f.bool() } ?? defaults.updateBiases
        )
        details = try body.optional("details") { f throws(APIError) in try f.bool() } ?? true
    }
}

/// /explain: the problem, the weight `{layer, unit, input}`, and learningRate.
struct ExplainRequest {
    var problem: ProblemRequest
    var weight: WeightIndex
    var learningRate: Double

    init(_ body: FieldObject) throws(APIError) {
        problem = try ProblemRequest(body, targetRequired: true)
        weight = try body.required("weight", "the weight to explain: {\"layer\", \"unit\", \"input\"} (0-based)") { f throws(APIError) in
            let w = try f.object()
            return WeightIndex(
                layer: try w.required("layer", "the layer index (0-based)") { i throws(APIError) in try i.integer() },
                unit: try w.required("unit", "the unit index within the layer (0-based)") { i throws(APIError) in try i.integer() },
                input: try w.required("input", "the input index of the unit (0-based)") { i throws(APIError) in try i.integer() }
            )
        }
        learningRate = try body.optional("learningRate") { f throws(APIError) in try f.number() } ?? StepOptions().learningRate
    }
}

/// /init: sizes, activation or activations, biases, scheme, seed.
struct InitRequest {
    var spec: InitSpec
    var activationsKey: String

    init(_ body: FieldObject) throws(APIError) {
        let sizes = try body.required("sizes", "the layer sizes: inputs, then units per layer, e.g. [2, 2, 2]") { f throws(APIError) in
            try f.elements { s throws(APIError) in try s.integer() }
        }

        if body.has("activation") && body.has("activations") {
            throw APIError.badField("/activations", "send either activation (one for all layers) or activations (one per layer), not both")
        }
        var names = ["sigmoid"]  // the default activation, for every layer
        var key = "activation"
        if let list = try body.optional("activations", { f throws(APIError) in try f.elements { a throws(APIError) in try a.string() } }) {
            key = "activations"
            names = list
        } else if let one = try body.optional("activation", { f throws(APIError) in try f.string() }) {
            names = [one]
        }

        let seed = try body.optional("seed") { f throws(APIError) in try f.integer() } ?? 0
        if seed < 0 {
            throw APIError.badValue("/seed", "expected an integer ≥ 0, found \(seed)")
        }
        spec = InitSpec(sizes: sizes, activations: names,
                        biases: try body.optional("biases") { f throws(APIError) in try f.bool() } ?? true,
                        scheme: try body.optional("scheme") { f throws(APIError) in try f.string() }, seed: UInt64(seed))
        activationsKey = key
    }
}
