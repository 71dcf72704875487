// Training on one problem: `steps` steps, each computing every gradient from the parameters as
// they were before the step (backprop.md), then handing them to the optimizer, which moves every
// parameter at once. One loop for every optimizer; the update rule is Optimizer.swift's.

/// How long and how fast to train.
public struct TrainingOptions: Sendable, Equatable {
    /// η, the learning rate; 1 is the textbook's plain update.
    public var learningRate: Double
    /// Steps on the problem's samples.
    public var steps: Int
    /// false keeps every bias fixed and trains weights only.
    public var updateBiases: Bool

    public init(learningRate: Double = 1, steps: Int = 1, updateBiases: Bool = true) {
        self.learningRate = learningRate
        self.steps = steps
        self.updateBiases = updateBiases
    }
}

/// The outcome of a training run.
public struct TrainingResult: Sendable, Equatable {
    /// The network after the last step.
    public var network: Network
    /// The optimizer after the last step: its state goes on from there.
    public var optimizer: Optimizer
    /// E before each step (`steps` entries); losses[0] is the loss of the network as sent.
    public var losses: [Double]
    /// E of the trained network on the same samples.
    public var finalLoss: Double
    /// The backward pass of the last step taken (computed from the parameters before that step).
    public var lastGradients: GradientsResult

    /// E before the first step.
    public var loss: Double { losses[0] }
}

extension Problem {
    /// Trains the network with `optimizer`:
    ///
    ///     for each step:  g = ∂E/∂θ at the current θ (every parameter)
    ///                     θ ← optimizer.update(θ, g)
    ///
    /// Consumes the problem so that its network, which the caller no longer holds, is updated
    /// in place rather than copied. Throws `.nonFinite` naming the step and layer where a
    /// gradient or an updated parameter overflowed.
    public consuming func train(_ options: TrainingOptions, optimizer: Optimizer = Optimizer()) throws(BackpropError) -> TrainingResult {
        precondition(options.steps >= 1, "at least one step")
        guard let t = targets else { throw BackpropError(.shapeMismatch, at: .targets, "required for training") }
        var network = self.network
        self.network.layers = []  // the only other reference to the parameters: let go of it
        var optimizer = optimizer
        var losses: [Double] = []
        losses.reserveCapacity(options.steps)
        var last: GradientsResult?
        for step in 1...options.steps {
            let site = ComputationSite(step: step, of: options.steps)
            let g = try network.gradients(inputs, targets: t, loss: loss, reduction: reduction, site: site)
            losses.append(g.loss)
            optimizer.update(&network, weightGradients: g.layers.map(\.weightGradients), biasGradients: g.layers.map(\.biasGradients),
                             learningRate: options.learningRate, updateBiases: options.updateBiases)
            for l in network.layers.indices {
                try requireFinite(network.layers[l].weights, "the updated weights", layer: l, site: site)
                if let b = network.layers[l].biases { try requireFinite(b, "the updated biases", layer: l, site: site) }
            }
            last = g
        }
        let finalLoss = try network.loss(inputs, targets: t, loss: loss, reduction: reduction,
                                         site: ComputationSite(step: options.steps, of: options.steps))
        return TrainingResult(network: network, optimizer: optimizer, losses: losses, finalLoss: finalLoss, lastGradients: last!)
    }
}
