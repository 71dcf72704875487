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
    ///
    /// The first step makes the new network in fresh arrays (the problem's own stays as it was);
    /// later steps update that network, which nothing else holds, in place. The network being
    /// trained goes beside the problem, whose samples and loss it reads, rather than into a copy
    /// of the problem per step. The final loss needs no passes kept (`Network.loss`).
    public func train(_ options: StepOptions) throws(BackpropError) -> StepResult {
        precondition(options.steps >= 1, "validation guarantees at least one step")
        var network = self.network
        var losses: [Double] = []
        losses.reserveCapacity(options.steps)
        var last: GradientsResult?
        for step in 1...options.steps {
            let site = ComputationSite(step: step, of: options.steps)
            let g = try network.gradients(self, site: site)
            losses.append(g.loss)
            if step == 1 {
                // A new array of layers, not a copy of the problem's to overwrite: the copy would
                // retain every old parameter array only to release it.
                network.layers = []
                network.layers.reserveCapacity(self.network.layers.count)
            }
            for l in self.network.layers.indices {
                let dWeights = g.layers[l].weightGradients, dBiases = options.updateBiases ? g.layers[l].biasGradients : nil
                if step == 1 {
                    network.layers.append(self.network.layers[l].descending(weightGradients: dWeights, biasGradients: dBiases, rate: options.learningRate))
                } else {
                    network.layers[l].descend(weightGradients: dWeights, biasGradients: dBiases, rate: options.learningRate)
                }
                try requireFinite(network.layers[l].weights, "the updated weights", layer: l, site: site)
                if let b = network.layers[l].biases { try requireFinite(b, "the updated biases", layer: l, site: site) }
            }
            last = g
        }
        let finalSite = ComputationSite(step: options.steps, of: options.steps)
        let finalLoss = try network.loss(self, targets: targets!, site: finalSite)
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
