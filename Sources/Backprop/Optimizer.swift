// The update rule of training: how a parameter moves given its gradient, w ← update(w, g, state).
// The optimizer owns its per-parameter state, so a run can stop after any step and go on later
// from the state alone. Not the gradients (Network.swift) nor the loop (Training.swift).

/// An update rule and the state it keeps between steps.
public struct Optimizer: Sendable, Equatable {
    /// Which rule, with its hyperparameters.
    public enum Algorithm: Sendable, Equatable {
        /// Plain gradient descent, the textbook's: w ← w − η·∂E/∂w.
        case sgd
    }

    public var algorithm: Algorithm
    /// Optimizer steps taken so far (PyTorch's `step`).
    public var step: Int

    public init(_ algorithm: Algorithm = .sgd, step: Int = 0) {
        self.algorithm = algorithm
        self.step = step
    }

    /// One step over every parameter of `network`, each from its own gradient (all gradients
    /// computed before any parameter moves):
    ///
    ///     sgd   w ← w − η·g
    ///
    /// Biases move only when `updateBiases`. Parameters are updated in place: arrays that
    /// nothing else holds are not copied.
    public mutating func update(_ network: inout Network, weightGradients: [Matrix], biasGradients: [[Double]?],
                                learningRate η: Double, updateBiases: Bool) {
        precondition(weightGradients.count == network.layers.count && biasGradients.count == network.layers.count)
        step += 1
        switch algorithm {
        case .sgd:
            for l in network.layers.indices {
                descend(&network.layers[l].weights.storage, weightGradients[l].storage, η)
                if updateBiases, network.layers[l].biases != nil, let g = biasGradients[l] {
                    descend(&network.layers[l].biases!, g, η)
                }
            }
        }
    }
}

/// w ← w − η·g, elementwise.
private func descend(_ w: inout [Double], _ g: [Double], _ η: Double) {
    precondition(w.count == g.count)
    w.withUnsafeMutableBufferPointer { w in
        g.withUnsafeBufferPointer { g in
            for e in w.indices { w[e] -= η * g[e] }
        }
    }
}
