// What a request describes before it has been checked: nested arrays and names, exactly as the
// JSON carried them. Validation.swift turns a spec into the core's checked values or says
// precisely what is wrong; nothing else in the core accepts unchecked input.

/// One layer as sent: `weights[j][i] = w_ji`, optional biases, an activation name.
public struct LayerSpec: Sendable, Equatable {
    public var weights: [[Double]]
    public var biases: [Double]?
    /// nil means the default, sigmoid.
    public var activation: String?

    public init(weights: [[Double]], biases: [Double]? = nil, activation: String? = nil) {
        self.weights = weights
        self.biases = biases
        self.activation = activation
    }
}

/// A network as sent.
public struct NetworkSpec: Sendable, Equatable {
    public var layers: [LayerSpec]

    public init(layers: [LayerSpec]) { self.layers = layers }
}

/// Samples as sent: one vector (`input`, `target`) or a batch of rows (`inputs`, `targets`).
public enum SamplesSpec: Sendable, Equatable {
    case single([Double])
    case batch([[Double]])

    public var rows: [[Double]] {
        switch self {
        case .single(let v): [v]
        case .batch(let m): m
        }
    }

    /// How many samples, without building the rows.
    public var count: Int {
        switch self {
        case .single: 1
        case .batch(let m): m.count
        }
    }

    public var isBatch: Bool {
        if case .batch = self { return true }
        return false
    }
}

/// Everything a forward, gradients or step computation needs, as sent.
public struct ProblemSpec: Sendable, Equatable {
    public var network: NetworkSpec
    public var inputs: SamplesSpec
    public var targets: SamplesSpec?
    /// nil means the default, half_sse.
    public var loss: String?
    /// nil means the default, mean.
    public var reduction: String?

    public init(network: NetworkSpec, inputs: SamplesSpec, targets: SamplesSpec? = nil, loss: String? = nil, reduction: String? = nil) {
        self.network = network
        self.inputs = inputs
        self.targets = targets
        self.loss = loss
        self.reduction = reduction
    }
}

/// The options of a gradient-descent run.
public struct StepOptions: Sendable, Equatable {
    /// η in w ← w − η ∂E/∂w; 1 is the textbook's plain update.
    public var learningRate: Double
    /// Full-batch steps on the same samples.
    public var steps: Int
    /// false keeps every bias fixed and trains weights only.
    public var updateBiases: Bool

    public init(learningRate: Double = 1, steps: Int = 1, updateBiases: Bool = true) {
        self.learningRate = learningRate
        self.steps = steps
        self.updateBiases = updateBiases
    }
}
