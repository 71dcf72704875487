// Training on one problem: steps on the whole training set or on mini-batches, each computing
// every gradient from the parameters as they were before the step (backprop.md), adding the
// regularization term, then handing them to the optimizer, which moves every parameter at once.
// One loop for every optimizer; the update rules are Optimizer.swift's, the batches BatchOrder's.

/// How to train.
public struct TrainingOptions: Sendable, Equatable {
    /// η, the learning rate; 1 is the textbook's plain update.
    public var learningRate: Double
    /// Optimizer steps to take.
    public var steps: Int
    /// false keeps every bias fixed and trains weights only.
    public var updateBiases: Bool
    /// B, the samples of a step; nil trains every step on the whole training set in order.
    public var batchSize: Int?
    /// Whether each epoch takes the samples in a new order (BatchOrder); nil means yes exactly
    /// when B < N.
    public var shuffle: Bool?
    /// The shuffle's seed: epoch e's order comes from SplitMix64 seeded with seed + e.
    public var seed: UInt64
    /// L2 and L1 on the weights, added to the gradients before the optimizer sees them.
    public var regularization: Regularization
    /// Losses (and penalties, validation losses) are recorded for steps 0, k, 2k, … only.
    public var lossEvery: Int

    public init(learningRate: Double = 1, steps: Int = 1, updateBiases: Bool = true, batchSize: Int? = nil, shuffle: Bool? = nil,
                seed: UInt64 = 0, regularization: Regularization = .none, lossEvery: Int = 1) {
        self.learningRate = learningRate
        self.steps = steps
        self.updateBiases = updateBiases
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.regularization = regularization
        self.lossEvery = lossEvery
    }
}

/// Samples that are not trained on, only measured: the validation set.
public struct ValidationSet: Sendable, Equatable {
    /// x, V×I; t, V×K: shaped for the network (check them with a Problem of their own).
    public var inputs: Matrix
    public var targets: Matrix

    public init(inputs: Matrix, targets: Matrix) {
        self.inputs = inputs
        self.targets = targets
    }
}

/// The outcome of a training run.
public struct TrainingResult: Sendable, Equatable {
    /// The network after the last step.
    public var network: Network
    /// The optimizer after the last step: its state goes on from there.
    public var optimizer: Optimizer
    /// E of the batch each recorded step trained on (steps 0, k, 2k, …), before that step;
    /// losses[0] is the loss of the network as sent.
    public var losses: [Double]
    /// The regularization penalty P before each recorded step (0 without regularization).
    public var penalties: [Double]
    /// E of the validation set before each recorded step; empty without one.
    public var validationLosses: [Double]
    /// E of the whole training set with the trained network.
    public var finalLoss: Double
    /// E of the validation set with the trained network; nil without one.
    public var finalValidationLoss: Double?
    /// The backward pass of the last step taken (computed from the parameters before that step,
    /// on its batch), its weight gradients including the regularization term.
    public var lastGradients: GradientsResult

    /// E before the first step.
    public var loss: Double { losses[0] }
}

extension Problem {
    /// Trains the network with `optimizer`:
    ///
    ///     for each step i (global step t = optimizer.step):
    ///         batch   = the whole set, or BatchOrder's batch of step t
    ///         g       = ∂E/∂θ on the batch at the current θ          (every parameter)
    ///         g_W    += λ2·W + λ1·sign(W)                             (regularization, weights only)
    ///         θ       ← optimizer.update(θ, g)                        (t ← t + 1)
    ///
    /// Consumes the problem so that its network, which the caller no longer holds, is updated
    /// in place rather than copied. Throws `.nonFinite` naming the step and layer where a
    /// gradient, the penalty, an updated parameter or an optimizer buffer overflowed.
    ///
    /// - Parameters:
    ///   - validation: samples measured before each recorded step and after the last, never
    ///     trained on.
    ///   - stopWhen: asked before every `checkEvery`-th step; when it says true, training stops
    ///     and throws `.stopped` (the service asks whether the client is still there).
    public consuming func train(_ options: TrainingOptions, optimizer: Optimizer = Optimizer(), validation: ValidationSet? = nil,
                                stopWhen: () -> Bool = { false }, checkEvery: Int = 1) throws(BackpropError) -> TrainingResult {
        precondition(options.steps >= 1 && options.lossEvery >= 1, "at least one step, recorded every k ≥ 1")
        guard let t = targets else { throw BackpropError(.shapeMismatch, at: .targets, "required for training") }
        var network = self.network
        self.network.layers = []  // the only other reference to the parameters: let go of it
        var optimizer = optimizer
        let recorded = (options.steps - 1) / options.lossEvery + 1
        var losses: [Double] = [], penalties: [Double] = [], validationLosses: [Double] = []
        losses.reserveCapacity(recorded)
        var schedule = options.batchSize.map { b in
            BatchOrder(samples: inputs.rows, batchSize: b, shuffle: options.shuffle ?? (b < inputs.rows), seed: options.seed)
        }
        let regularization = options.regularization
        var last: GradientsResult?
        for i in 0..<options.steps {
            let site = ComputationSite(step: i + 1, of: options.steps)
            if i > 0, i % max(checkEvery, 1) == 0, stopWhen() {
                throw BackpropError(.stopped, at: .network, "stopped before step \(i + 1) of \(options.steps): the answer is no longer wanted")
            }
            let record = i % options.lossEvery == 0
            if record, let validation {
                validationLosses.append(try network.loss(validation.inputs, targets: validation.targets, loss: loss,
                                                         reduction: reduction, site: site))
            }
            var g: GradientsResult
            if let batch = schedule?.batch(step: optimizer.step) {
                g = try network.gradients(inputs.rows(of: batch), targets: t.rows(of: batch), loss: loss, reduction: reduction, site: site)
            } else {
                g = try network.gradients(inputs, targets: t, loss: loss, reduction: reduction, site: site)
            }
            if record { losses.append(g.loss) }
            let penalty = try g.addRegularization(regularization, of: network, site: site)  // 0, untouched, without
            if record { penalties.append(penalty) }
            if let bad = optimizer.update(&network, gradients: g.layers, learningRate: options.learningRate, updateBiases: options.updateBiases) {
                throw nonFinite(bad.description, layer: bad.layer, site: site)
            }
            last = g
        }
        let end = ComputationSite(step: options.steps, of: options.steps)
        let finalLoss = try network.loss(inputs, targets: t, loss: loss, reduction: reduction, site: end)
        let finalValidationLoss = try validation.map { (v) throws(BackpropError) in
            try network.loss(v.inputs, targets: v.targets, loss: loss, reduction: reduction, site: end)
        }
        return TrainingResult(network: network, optimizer: optimizer, losses: losses, penalties: penalties,
                              validationLosses: validationLosses, finalLoss: finalLoss, finalValidationLoss: finalValidationLoss,
                              lastGradients: last!)
    }
}

extension NonFiniteUpdate {
    /// What overflowed, as the error message names it: "the updated weights", "the optimizer's
    /// expAvgSq for the biases".
    var description: String {
        if let buffer { return "the optimizer's \(buffer.rawValue) for the \(parameter.rawValue)" }
        return "the updated \(parameter.rawValue)"
    }
}
