// One fully connected layer: its parameters, its forward pass (to the weighted sums; f is the
// activation's) and, right beside it, its backward pass (as in llm.c: every forward has its
// backward next to it). Batches are one row per sample.
// Not responsible for the activation's own derivative (Activation.swift), the loss (Loss.swift)
// or the update of its parameters (Optimizer.swift).

/// A dense layer: `a = W · z_prev + b`, `z = f(a)`.
public struct DenseLayer: Sendable, Equatable {
    /// W, J×I: one row per unit j of this layer, one column per unit i below (`weights[j, i] = w_ji`).
    public var weights: Matrix
    /// b, J entries, or nil when the layer has no bias (the textbook case).
    public var biases: [Double]?
    public var activation: Activation

    /// A layer as given; `Problem` checks that it has one bias per unit and finite numbers.
    public init(weights: Matrix, biases: [Double]? = nil, activation: Activation = .sigmoid) {
        self.weights = weights
        self.biases = biases
        self.activation = activation
    }

    /// J, the number of units.
    public var units: Int { weights.rows }
    /// I, the number of inputs each unit takes.
    public var inputs: Int { weights.cols }
    /// Weights plus biases.
    public var parameterCount: Int { weights.rows * weights.cols + (biases?.count ?? 0) }

    /// Forward over a batch, up to the weighted sums; `activation` makes z = f(a) of them, into a
    /// matrix of its own or in their storage (Network's forward loop chooses which).
    ///
    ///     a = z_prev · Wᵀ + b        z_prev: N×I, W: J×I, a: N×J
    func weightedSums(_ input: Matrix) -> Matrix {
        Matrix.multiply(input, transposed: weights, addingRow: biases)
    }

    /// Backward over a batch, given this layer's deltas δ = ∂E/∂a (one row per sample).
    ///
    ///     dWeights = s · δᵀ · z_prev     (∂E/∂w_ji = s · Σ_n δ_nj · z_prev,ni)      J×I
    ///     dBiases  = s · Σ_n δ_n         (∂E/∂b_j  = s · Σ_n δ_nj)                  J
    ///     dInput   = δ · W               (∂E/∂z_prev,ni = Σ_j δ_nj · w_ji)          N×I
    ///
    /// s is the reduction's scale (1/N for mean, 1 for sum); dInput is per sample and unscaled,
    /// so the layer below gets its own unscaled deltas. The first layer has no layer below, so it
    /// passes `needsInputGradient: false` and skips that product (a fifth of a 784-input step).
    public func backward(delta: Matrix, input: Matrix, scale s: Double, needsInputGradient: Bool) -> (dWeights: Matrix, dBiases: [Double]?, dInput: Matrix?) {
        let dWeights = Matrix.multiply(transposed: delta, input, scale: s)
        let dBiases = biases == nil ? nil : delta.columnSums(scale: s)
        let dInput = needsInputGradient ? Matrix.multiply(delta, weights) : nil
        return (dWeights, dBiases, dInput)
    }
}

/// What a layer's forward pass produced for a batch.
public struct LayerForward: Sendable, Equatable {
    /// a, N×J.
    public var weightedSums: Matrix
    /// z = f(a), N×J.
    public var outputs: Matrix
}

/// What a layer's backward pass produced for a batch.
public struct LayerGradients: Sendable, Equatable {
    /// a, N×J.
    public var weightedSums: Matrix
    /// z, N×J.
    public var outputs: Matrix
    /// δ = ∂E_n/∂a for each sample n, N×J, unscaled by the reduction.
    public var deltas: Matrix
    /// ∂E/∂W, J×I, shaped like the weights.
    public var weightGradients: Matrix
    /// ∂E/∂b, J entries; nil when the layer has no biases.
    public var biasGradients: [Double]?
}
