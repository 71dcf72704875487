// Gradient descent on one problem: `steps` full-batch steps, each computing every delta from the
// weights as they were before that step, then updating every weight at once (backprop.md).
// Not an optimizer zoo: plain w ← w − η ∂E/∂w, as the textbook has it.

/// The outcome of a training run.
public struct StepResult: Sendable, Equatable {
    /// The network after the last step.
    public var network: Network
    /// E before each step (`steps` entries); losses[0] is the loss of the network as sent.
    public var losses: [Double]
    /// E of the updated network on the same samples.
    public var finalLoss: Double
    /// The backward pass of the last step taken (computed from the weights before that step).
    public var lastGradients: GradientsResult

    /// E before the first step.
    public var loss: Double { losses[0] }
}

extension Problem {
    /// Runs `options.steps` gradient-descent steps:
    ///
    ///     for each step:  W(l) ← W(l) − η · ∂E/∂W(l),   b(l) ← b(l) − η · ∂E/∂b(l)  (unless biases are frozen)
    public func train(_ options: StepOptions) throws(BackpropError) -> StepResult {
        precondition(options.steps >= 1, "validation guarantees at least one step")
        var network = self.network
        var losses: [Double] = []
        losses.reserveCapacity(options.steps)
        var last: GradientsResult?
        for step in 1...options.steps {
            let site = ComputationSite(step: step, of: options.steps)
            var current = self
            current.network = network
            let g = try network.gradients(current, site: site)
            losses.append(g.loss)
            let updated = zip(network.layers, g.layers).map {
                $0.descending($1, rate: options.learningRate, updateBiases: options.updateBiases)
            }
            for (l, layer) in updated.enumerated() {
                try requireFinite(layer.weights, "the updated weights", layer: l, site: site)
                if let b = layer.biases { try requireFinite(b, "the updated biases", layer: l, site: site) }
            }
            network = Network(layers: updated)
            last = g
        }
        var final = self
        final.network = network
        let finalSite = ComputationSite(step: options.steps, of: options.steps)
        let finalLoss = try network.forward(final, site: finalSite).loss!
        return StepResult(network: network, losses: losses, finalLoss: finalLoss, lastGradients: last!)
    }

    /// One forward pass (with the loss when there are targets).
    public func forward() throws(BackpropError) -> ForwardResult {
        try network.forward(self)
    }

    /// One forward and backward pass.
    public func gradients() throws(BackpropError) -> GradientsResult {
        try network.gradients(self)
    }
}
