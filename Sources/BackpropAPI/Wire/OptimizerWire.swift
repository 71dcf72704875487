// `optimizer` on the wire: a name (`"adam"`) or an object with the name, that optimizer's
// hyperparameters (camelCase, PyTorch's defaults) and its state, which goes back into the
// response after the last step, so a run can go on in another call (api-contract.md, v2).
// The hyperparameters a name takes, and the buffers a state holds, are read from the algorithm:
// anything else in the object is an unknown field.

import Backprop
import JSONCodec

/// `optimizer` as sent: the update rule, and the state it goes on from (checked against the
/// network by `issues`).
struct OptimizerRequest {
    var algorithm: OptimizerAlgorithm
    /// `state.step`: optimizer steps taken so far.
    var step: Int
    /// `state.layers` as sent, buffers as matrices (weights) and vectors (biases); empty when
    /// the optimizer is fresh.
    var layers: [SentLayerState]

    struct SentLayerState {
        var weights: [(StateBuffer, Matrix)]
        var biases: [(StateBuffer, [Double])]?
    }

    /// The request's `optimizer`, or nil when it has none (plain descent, and no `optimizer` in
    /// the response).
    static func read(_ body: inout FieldObject) throws(APIError) -> OptimizerRequest? {
        switch body.kind(of: "optimizer") {
        case nil:
            return nil
        case .string:
            let name = try body.string("optimizer")!
            return OptimizerRequest(algorithm: resolve(name, in: &body, at: "/optimizer"), step: 0, layers: [])
        case .object:
            return try body.object("optimizer") { o throws(APIError) in try OptimizerRequest(&o) }
        default:
            throw try body.read("optimizer") { f throws(APIError) in f.mismatch("an optimizer's name or an object with its name") }!
        }
    }

    private init(algorithm: OptimizerAlgorithm, step: Int, layers: [SentLayerState]) {
        self.algorithm = algorithm
        self.step = step
        self.layers = layers
    }

    /// The object form: `{"name", hyperparameters…, "state"?}`.
    private init(_ o: inout FieldObject) throws(APIError) {
        let name = try o.require(o.string("name"), "name", "the optimizer's name: \(OptimizerAlgorithm.names.joined(separator: ", "))")
        let defaults = Self.resolve(name, in: &o, at: "/name")
        switch defaults {
        case .sgd(let momentum, let dampening, let nesterov):
            algorithm = .sgd(momentum: try o.number("momentum", default: momentum), dampening: try o.number("dampening", default: dampening),
                             nesterov: try o.bool("nesterov", default: nesterov))
        case .adagrad(let lrDecay, let initial, let eps):
            algorithm = .adagrad(lrDecay: try o.number("lrDecay", default: lrDecay),
                                 initialAccumulatorValue: try o.number("initialAccumulatorValue", default: initial), eps: try o.number("eps", default: eps))
        case .rmsprop(let alpha, let eps, let momentum, let centered):
            algorithm = .rmsprop(alpha: try o.number("alpha", default: alpha), eps: try o.number("eps", default: eps),
                                 momentum: try o.number("momentum", default: momentum), centered: try o.bool("centered", default: centered))
        case .adam(let beta1, let beta2, let eps):
            let betas = try Self.betas(&o, default: (beta1, beta2))
            algorithm = .adam(beta1: betas.0, beta2: betas.1, eps: try o.number("eps", default: eps))
        case .adamw(let beta1, let beta2, let eps, let weightDecay):
            let betas = try Self.betas(&o, default: (beta1, beta2))
            algorithm = .adamw(beta1: betas.0, beta2: betas.1, eps: try o.number("eps", default: eps),
                               weightDecay: try o.number("weightDecay", default: weightDecay))
        }
        let buffers = algorithm.buffers
        let state = try o.object("state") { s throws(APIError) -> (Int, [SentLayerState]) in
            let step = try s.require(s.integer("step"), "step", "the optimizer steps taken so far (PyTorch's step)")
            let layers = try s.objects("layers") { layer, _ throws(APIError) -> SentLayerState in
                let weights = try layer.object("weights") { w throws(APIError) in
                    try Self.buffers(buffers, in: &w) { o, key throws(APIError) in try o.matrix(key, noun: "number") }
                }
                let biases = try layer.object("biases") { b throws(APIError) in
                    try Self.buffers(buffers, in: &b) { o, key throws(APIError) in try o.vector(key) }
                }
                return SentLayerState(weights: weights ?? [], biases: biases)
            }
            return (step, layers ?? [])
        }
        (step, layers) = state ?? (0, [])
    }

    /// The algorithm with PyTorch's defaults for `name`, or plain descent after an issue at `pointer`.
    private static func resolve(_ name: String, in o: inout FieldObject, at pointer: String) -> OptimizerAlgorithm {
        if let algorithm = OptimizerAlgorithm(defaultsFor: name) { return algorithm }
        let hint = closestName(to: name, among: OptimizerAlgorithm.names).map { "did you mean \"\($0)\"? " } ?? ""
        o.issues.append(FieldIssue(.invalidValue, pointer,
                                   "unknown optimizer \"\(name)\"; \(hint)expected one of \(OptimizerAlgorithm.names.joined(separator: ", "))"))
        return .plain
    }

    /// `betas`: [β1, β2], PyTorch's tuple.
    private static func betas(_ o: inout FieldObject, default d: (Double, Double)) throws(APIError) -> (Double, Double) {
        guard let betas = try o.vector("betas") else { return d }
        guard betas.count == 2 else {
            o.invalid("betas", "expected 2 numbers, β1 and β2, found \(betas.count)")
            return d
        }
        return (betas[0], betas[1])
    }

    /// The buffers `kept` present in `o`, each read with `read`; any other member is unknown.
    private static func buffers<T>(_ kept: [StateBuffer], in o: inout FieldObject,
                                   _ read: (inout FieldObject, StaticString) throws(APIError) -> T?) throws(APIError) -> [(StateBuffer, T)] {
        var found: [(StateBuffer, T)] = []
        for buffer in kept {
            if let value = try read(&o, buffer.key) { found.append((buffer, value)) }
        }
        return found
    }

    /// Hyperparameters PyTorch would refuse, buffers shaped unlike their parameters, a state
    /// that does not fit the network, and a step count that would pass 2⁵³ in this call.
    func issues(network: Network, steps: Int) -> [FieldIssue] {
        var found = algorithm.issues.map { FieldIssue(.invalidValue, Self.pointer($0.hyperparameter), $0.message) }
        let statePointer = "/optimizer/state"
        if step > OptimizerState.maxStep - steps {
            found.append(FieldIssue(.invalidValue, statePointer + "/step",
                                    "\(step) steps taken and \(steps) more would pass \(OptimizerState.maxStep), the most this service counts"))
        }
        // Buffer shapes: the core compares element counts only, so a 3×2 buffer for 2×3 weights
        // is caught here.
        for (l, layer) in layers.enumerated() where l < network.layers.count {
            let w = network.layers[l].weights
            for (buffer, m) in layer.weights where m.rows != 0 && (m.rows != w.rows || m.cols != w.cols) {
                found.append(FieldIssue(.shapeMismatch, statePointer + "/layers/\(l)/weights/\(buffer.rawValue)",
                                        "expected a \(w.rows)×\(w.cols) matrix like the weights, found \(m.rows)×\(m.cols)"))
            }
        }
        guard found.isEmpty else { return found }
        return state.issues(for: algorithm, network: network).map { FieldIssue($0.kind, Self.pointer($0.location), $0.message) }
    }

    /// The state as the core holds it: buffers flat, row by row.
    var state: OptimizerState {
        OptimizerState(step: step, layers: layers.map { sent in
            var weights = ParameterState()
            for (buffer, m) in sent.weights { weights[buffer] = m.storage }
            var biases: ParameterState?
            if let sentBiases = sent.biases {
                var b = ParameterState()
                for (buffer, v) in sentBiases { b[buffer] = v }
                biases = b
            }
            return LayerState(weights: weights, biases: biases)
        })
    }

    private static func pointer(_ h: Hyperparameter) -> String {
        switch h {
        case .beta1: "/optimizer/betas/0"
        case .beta2: "/optimizer/betas/1"
        case .momentum, .dampening, .nesterov, .lrDecay, .initialAccumulatorValue, .eps, .alpha, .centered, .weightDecay:
            "/optimizer/" + h.rawValue
        }
    }

    private static func pointer(_ location: StateLocation) -> String {
        switch location {
        case .step: "/optimizer/state/step"
        case .layers: "/optimizer/state/layers"
        case .parameter(let l, let kind): "/optimizer/state/layers/\(l)/\(kind.rawValue)"
        case .buffer(let l, let kind, let buffer): "/optimizer/state/layers/\(l)/\(kind.rawValue)/\(buffer.rawValue)"
        }
    }
}

extension StateIssue {
    /// A state that does not fit is a shape problem; a non-finite or foreign buffer a value problem.
    var kind: ProblemKind {
        message.hasPrefix("expected one") || message.hasPrefix("expected one entry") ? .shapeMismatch : .invalidValue
    }
}

extension StateBuffer {
    /// The buffer's member name, for reading it from a state object.
    var key: StaticString {
        switch self {
        case .momentumBuffer: "momentumBuffer"
        case .sum: "sum"
        case .squareAvg: "squareAvg"
        case .gradAvg: "gradAvg"
        case .expAvg: "expAvg"
        case .expAvgSq: "expAvgSq"
        }
    }
}

extension JSONWriter {
    /// An optimizer as the response gives it back: its name, every hyperparameter (defaults filled
    /// in), and its state after the last step, ready to be sent as the next request's `optimizer`.
    /// Weight buffers are written shaped like the weights of `network`, one row per unit.
    mutating func optimizer(_ o: Optimizer, network: Network) {
        beginObject()
        key("name"); string(o.algorithm.name)
        switch o.algorithm {
        case .sgd(let momentum, let dampening, let nesterov):
            key("momentum"); number(momentum)
            key("dampening"); number(dampening)
            key("nesterov"); bool(nesterov)
        case .adagrad(let lrDecay, let initial, let eps):
            key("lrDecay"); number(lrDecay)
            key("initialAccumulatorValue"); number(initial)
            key("eps"); number(eps)
        case .rmsprop(let alpha, let eps, let momentum, let centered):
            key("alpha"); number(alpha)
            key("eps"); number(eps)
            key("momentum"); number(momentum)
            key("centered"); bool(centered)
        case .adam(let beta1, let beta2, let eps):
            key("betas"); numbers([beta1, beta2])
            key("eps"); number(eps)
        case .adamw(let beta1, let beta2, let eps, let weightDecay):
            key("betas"); numbers([beta1, beta2])
            key("eps"); number(eps)
            key("weightDecay"); number(weightDecay)
        }
        key("state")
        beginObject()
        key("step"); integer(o.state.step)
        // Layers only when some buffer exists: plain descent's state is its step count alone.
        if o.state.layers.contains(where: { !$0.weights.isEmpty || !($0.biases?.isEmpty ?? true) }) {
            key("layers")
            beginArray()
            for (l, layer) in o.state.layers.enumerated() {
                let weights = network.layers[l].weights
                beginObject()
                key("weights")
                beginObject()
                for buffer in layer.weights.present {
                    key(buffer.rawValue)
                    matrix(Matrix(rows: weights.rows, cols: weights.cols, storage: layer.weights[buffer]!))
                }
                endObject()
                if let biases = layer.biases, !biases.isEmpty {
                    key("biases")
                    beginObject()
                    for buffer in biases.present { key(buffer.rawValue); numbers(biases[buffer]!) }
                    endObject()
                }
                endObject()
            }
            endArray()
        }
        endObject()
        endObject()
    }
}
