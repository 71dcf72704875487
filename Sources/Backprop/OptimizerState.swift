// What an optimizer remembers between steps, per parameter tensor, and the checks a state sent by
// a client must pass before it is used. The state is plain data so that it can travel in a
// request and come back in the response (api-contract.md, "v2 additions"). Not the update rules
// (Optimizer.swift) and not the wire form: the edge turns nested JSON arrays into these flat ones.

/// One of the per-parameter buffers of `torch.optim`, named after PyTorch's state key in camelCase.
public enum StateBuffer: String, CaseIterable, Sendable {
    /// SGD's and RMSprop's velocity b (PyTorch `momentum_buffer`).
    case momentumBuffer
    /// Adagrad's running sum of squared gradients (PyTorch `sum`).
    case sum
    /// RMSprop's running average of squared gradients v (PyTorch `square_avg`).
    case squareAvg
    /// Centered RMSprop's running average of gradients (PyTorch `grad_avg`).
    case gradAvg
    /// Adam's first moment m (PyTorch `exp_avg`).
    case expAvg
    /// Adam's second moment v (PyTorch `exp_avg_sq`).
    case expAvgSq

    /// PyTorch's key for the buffer in `optimizer.state_dict()["state"][i]`.
    public var pytorchKey: String {
        switch self {
        case .momentumBuffer: "momentum_buffer"
        case .sum: "sum"
        case .squareAvg: "square_avg"
        case .gradAvg: "grad_avg"
        case .expAvg: "exp_avg"
        case .expAvgSq: "exp_avg_sq"
        }
    }
}

/// Which tensor of a layer a state or an issue belongs to.
public enum ParameterKind: String, Sendable, Equatable {
    case weights
    case biases
}

/// The buffers of one parameter tensor (a layer's weights, or its biases), each flat in the
/// tensor's row-major order (`w_ji` at `j · inputs + i`); nil where the buffer does not exist yet.
///
/// A fresh parameter has no buffers; the first step creates the ones its algorithm keeps, as
/// PyTorch does (zeros, Adagrad's initial accumulator value, or SGD's clone of the gradient).
public struct ParameterState: Sendable, Equatable {
    public var momentumBuffer: [Double]?
    public var sum: [Double]?
    public var squareAvg: [Double]?
    public var gradAvg: [Double]?
    public var expAvg: [Double]?
    public var expAvgSq: [Double]?

    public init() {}

    /// The buffer by name, for the wire form.
    public subscript(buffer: StateBuffer) -> [Double]? {
        get {
            switch buffer {
            case .momentumBuffer: momentumBuffer
            case .sum: sum
            case .squareAvg: squareAvg
            case .gradAvg: gradAvg
            case .expAvg: expAvg
            case .expAvgSq: expAvgSq
            }
        }
        set {
            switch buffer {
            case .momentumBuffer: momentumBuffer = newValue
            case .sum: sum = newValue
            case .squareAvg: squareAvg = newValue
            case .gradAvg: gradAvg = newValue
            case .expAvg: expAvg = newValue
            case .expAvgSq: expAvgSq = newValue
            }
        }
    }

    /// The buffers that exist, in `StateBuffer` order.
    public var present: [StateBuffer] { StateBuffer.allCases.filter { self[$0] != nil } }

    /// True when no buffer exists (a fresh parameter, or one whose algorithm keeps none).
    public var isEmpty: Bool { present.isEmpty }
}

/// The state of one layer: its weights', and its biases' when they have any.
public struct LayerState: Sendable, Equatable {
    public var weights: ParameterState
    /// nil when the layer has no biases, or its biases have never been updated (`updateBiases:
    /// false`); an empty state means the same.
    public var biases: ParameterState?

    public init(weights: ParameterState = ParameterState(), biases: ParameterState? = nil) {
        self.weights = weights
        self.biases = biases
    }
}

/// Everything an optimizer carries from one step to the next.
public struct OptimizerState: Sendable, Equatable {
    /// Optimizer steps taken so far (PyTorch's `step`): 0 for a fresh optimizer. The contract's
    /// mini-batch schedule counts from it too.
    public var step: Int
    /// One entry per layer of the network, or none at all for a fresh optimizer (the first step
    /// makes one per layer).
    public var layers: [LayerState]

    public init(step: Int = 0, layers: [LayerState] = []) {
        self.step = step
        self.layers = layers
    }

    /// The largest `step` a state may carry: every count up to it is exact as a float64, which is
    /// how JSON carries it and how the bias corrections β^t read it.
    public static let maxStep = 1 << 53
}

// MARK: - Checking a state that came from outside

/// Where in a state an issue is.
public enum StateLocation: Sendable, Equatable {
    /// `step`.
    case step
    /// `layers`, as a whole (its count).
    case layers
    /// One parameter's state as a whole: `layers[l].weights` or `layers[l].biases`.
    case parameter(layer: Int, ParameterKind)
    /// One buffer: `layers[l].weights.expAvg`, …
    case buffer(layer: Int, ParameterKind, StateBuffer)
}

/// One reason a state cannot be used as it is.
public struct StateIssue: Sendable, Equatable {
    public var location: StateLocation
    public var message: String

    public init(_ location: StateLocation, _ message: String) {
        self.location = location
        self.message = message
    }
}

extension OptimizerState {
    /// Every reason this state cannot continue `algorithm` on `network`; empty when it can.
    ///
    /// The rules, so that a state means one thing:
    /// - `step` is in 0 … 2⁵³;
    /// - `layers` is empty (a fresh optimizer) or has one entry per layer;
    /// - a parameter has either none of the algorithm's buffers (they are created on its next
    ///   update, as PyTorch creates them) or all of them, each with one number per element of the
    ///   parameter, all finite;
    /// - no buffer the algorithm does not keep (another optimizer's, or `momentumBuffer` without
    ///   momentum): it would be dropped silently otherwise;
    /// - no bias state for a layer without biases.
    ///
    /// A bias state sent with `updateBiases: false` is allowed: it is carried through unchanged.
    public func issues(for algorithm: OptimizerAlgorithm, network: Network) -> [StateIssue] {
        var issues: [StateIssue] = []
        if step < 0 || step > Self.maxStep {
            issues.append(StateIssue(.step, "expected a step count from 0 to \(Self.maxStep), found \(step)"))
        }
        guard layers.isEmpty || layers.count == network.layers.count else {
            issues.append(StateIssue(.layers, "expected one entry per layer (\(network.layers.count)), or none for a fresh optimizer; found \(layers.count)"))
            return issues
        }
        for (l, layer) in layers.enumerated() {
            let weights = network.layers[l].weights
            issues += layer.weights.issues(for: algorithm, layer: l, .weights, shape: "\(weights.rows)×\(weights.cols)", count: weights.storage.count)
            guard let biasState = layer.biases, !biasState.isEmpty else { continue }
            if let biases = network.layers[l].biases {
                issues += biasState.issues(for: algorithm, layer: l, .biases, shape: "\(biases.count)", count: biases.count)
            } else {
                issues.append(StateIssue(.parameter(layer: l, .biases), "layer \(l) has no biases, so it has no bias state"))
            }
        }
        return issues
    }
}

extension ParameterState {
    /// The checks of `OptimizerState.issues` for one parameter of `count` elements.
    func issues(for algorithm: OptimizerAlgorithm, layer l: Int, _ kind: ParameterKind, shape: String, count: Int) -> [StateIssue] {
        var issues: [StateIssue] = []
        let kept = algorithm.buffers
        let present = present
        for buffer in present {
            let values = self[buffer]!
            let location = StateLocation.buffer(layer: l, kind, buffer)
            if !kept.contains(buffer) {
                let keeps = kept.isEmpty ? "none" : kept.map(\.rawValue).joined(separator: ", ")
                issues.append(StateIssue(location, "\(algorithm.name) with these hyperparameters keeps no \(buffer.rawValue) (its buffers: \(keeps))"))
            } else if values.count != count {
                issues.append(StateIssue(location, "expected one number per \(kind == .weights ? "weight" : "bias") (\(shape)), found \(values.count) numbers"))
            } else if let i = values.firstIndex(where: { !$0.isFinite }) {
                issues.append(StateIssue(location, "expected finite numbers, found \(values[i]) at element \(i)"))
            }
        }
        let missing = kept.filter { self[$0] == nil }
        if !present.isEmpty && !missing.isEmpty && missing.count < kept.count {
            issues.append(StateIssue(.parameter(layer: l, kind),
                                     "has \(kept.filter { self[$0] != nil }.map(\.rawValue).joined(separator: ", ")) but not \(missing.map(\.rawValue).joined(separator: ", ")); send all of \(algorithm.name)'s buffers or none"))
        }
        return issues
    }
}
