// Gradient-descent runs: k steps equal k chained single steps bit for bit, losses[i] is the loss
// before step i, every delta of a step comes from the weights before it, frozen biases stay
// bit-identical, a zero learning rate changes nothing and training leaves a problem the caller
// still holds as it was. Bit-identity (==) is the point here.

import Testing
@testable import Backprop

@Suite("Training")
struct TrainingTests {
    static func randomProblem(seed: UInt64, biases: Bool = true) throws -> Problem {
        var rng = SplitMix64(seed: seed)
        let output = rng.pick(Activation.allCases)
        let loss: LossFunction = (output == .softmax || output == .sigmoid) && rng.bool() ? .crossEntropy : rng.pick([.halfSSE, .mse])
        return try BackpropTests.randomProblem(&rng, RandomProblemOptions(
            outputActivation: output, loss: loss, reduction: rng.pick(Reduction.allCases), batch: rng.bool(), biases: biases,
            depth: 2...4))
    }

    @Test(arguments: 0..<8)
    func stepsEqualChainedSingleSteps(_ seed: Int) throws {
        let problem = try Self.randomProblem(seed: 0x7A1 + UInt64(seed))
        let k = 1 + seed % 6
        let options = TrainingOptions(learningRate: 0.3, steps: k)
        let run = try problem.train(options)
        try #require(run.losses.count == k)

        var p = problem
        var before = problem
        for i in 0..<k {
            before = p
            let lossBefore = try p.forward().loss!
            let one = try p.train(TrainingOptions(learningRate: 0.3, steps: 1))
            #expect(one.losses == [lossBefore])
            #expect(run.losses[i] == lossBefore, "step \(i)")
            p.network = one.network
        }
        #expect(run.network == p.network)
        for (a, b) in zip(run.network.layers, p.network.layers) {
            #expect(a.weights.storage == b.weights.storage)
            #expect(a.biases == b.biases)
        }
        #expect(run.finalLoss == (try p.forward().loss!))
        #expect(run.loss == run.losses[0])
        // The reported layers are the backward pass of the network before the last step.
        #expect(run.lastGradients == (try before.gradients()))
    }

    /// `Network.loss` (the final and validation losses) applies each hidden layer's activation in
    /// place of its weighted sums; its loss must equal the forward pass's bit for bit, for every
    /// hidden activation, batches and depths up to 4.
    @Test(arguments: Activation.allCases)
    func theLossAloneEqualsTheForwardPasssLoss(_ hidden: Activation) throws {
        for seed in 0..<6 {
            var rng = SplitMix64(seed: 0x1055 + UInt64(seed))
            let output = rng.pick(Activation.allCases)
            let p = try BackpropTests.randomProblem(&rng, RandomProblemOptions(outputActivation: output, hiddenActivation: hidden,
                                                                               reduction: rng.pick(Reduction.allCases), depth: 2...4))
            let alone = try p.network.loss(p.inputs, targets: p.targets!, loss: p.loss, reduction: p.reduction)
            #expect(alone.bitPattern == (try p.forward().loss!).bitPattern, "seed \(seed), output \(output)")
        }
    }

    /// All deltas of a step come from the weights before it: every updated parameter is
    /// w − η·∂E/∂w with ∂E/∂w of the original network (a sequential update, lower layers using
    /// already-updated upper weights, fails this). Tolerance: a few ulps of the larger of |w|, |η g|.
    @Test(arguments: 0..<6)
    func oneStepUpdatesEveryWeightFromTheOldGradients(_ seed: Int) throws {
        let problem = try Self.randomProblem(seed: 0x57E9 + UInt64(seed))
        let rate = 0.7
        let g = try problem.gradients()
        let run = try problem.train(TrainingOptions(learningRate: rate))
        for (l, layer) in problem.network.layers.enumerated() {
            let updated = run.network.layers[l]
            for e in layer.weights.storage.indices {
                let w = layer.weights.storage[e], d = rate * g.layers[l].weightGradients.storage[e]
                #expect(isClose(updated.weights.storage[e], w - d, rel: 0, abs: 4e-16 * Swift.max(Swift.abs(w), Swift.abs(d))))
            }
            if let b = layer.biases {
                for j in b.indices {
                    let d = rate * g.layers[l].biasGradients![j]
                    #expect(isClose(updated.biases![j], b[j] - d, rel: 0, abs: 4e-16 * Swift.max(Swift.abs(b[j]), Swift.abs(d))))
                }
            }
            #expect(updated.activation == layer.activation)
            #expect((updated.biases == nil) == (layer.biases == nil))
        }
    }

    /// A hand-sized case where a sequential update would differ: the lower layer's delta uses w2 before the step.
    @Test func deltasUseWeightsBeforeTheStep() throws {
        // Linear 1-1-1: y = w2·w1·x, E = ½(y − t)². ∂E/∂w1 = (y − t)·w2·x, ∂E/∂w2 = (y − t)·w1·x.
        let w1 = 0.5, w2 = 2.0, x = 1.0, t = 0.0
        let problem = try makeProblem([TestLayer(weights: [[w1]], activation: .linear), TestLayer(weights: [[w2]], activation: .linear)],
                                      inputs: [[x]], targets: [[t]])
        let run = try problem.train(TrainingOptions(learningRate: 0.1))
        let y = w2 * w1 * x
        #expect(run.network.layers[0].weights[0, 0] == w1 - 0.1 * (y - t) * w2 * x)   // 0.5 − 0.1·1·2 = 0.3
        #expect(run.network.layers[1].weights[0, 0] == w2 - 0.1 * (y - t) * w1 * x)   // 2 − 0.1·1·0.5 = 1.95
        #expect(run.losses == [0.5])
        #expect(isClose(run.finalLoss, 0.5 * (1.95 * 0.3) * (1.95 * 0.3), rel: 1e-15))
    }

    @Test(arguments: 0..<4)
    func frozenBiasesStayBitIdentical(_ seed: Int) throws {
        let problem = try Self.randomProblem(seed: 0xB1A5 + UInt64(seed))
        let run = try problem.train(TrainingOptions(learningRate: 0.5, steps: 3, updateBiases: false))
        var weightsChanged = false
        for (old, new) in zip(problem.network.layers, run.network.layers) {
            #expect(new.biases == old.biases)
            if new.weights.storage != old.weights.storage { weightsChanged = true }
        }
        #expect(weightsChanged)
        // Bias gradients are still reported, only not applied.
        #expect(run.lastGradients.layers.allSatisfy { $0.biasGradients != nil })
        // With updates on, the biases do move.
        let moving = try problem.train(TrainingOptions(learningRate: 0.5, steps: 3))
        #expect(zip(problem.network.layers, moving.network.layers).contains { $0.biases != $1.biases })
    }

    @Test(arguments: 0..<4)
    func zeroLearningRateChangesNothing(_ seed: Int) throws {
        let problem = try Self.randomProblem(seed: 0x0 + UInt64(seed) * 31)
        let run = try problem.train(TrainingOptions(learningRate: 0, steps: 4))
        #expect(run.network == problem.network)
        let loss = try problem.forward().loss!
        #expect(run.losses == [loss, loss, loss, loss])
        #expect(run.finalLoss == loss)
        #expect(run.lastGradients == (try problem.gradients()))
    }

    /// A small learning rate on a smooth problem lowers the loss (sanity of the sign of the update).
    @Test func smallStepsDescend() throws {
        var rng = SplitMix64(seed: 0xD05)
        for _ in 0..<10 {
            let problem = try BackpropTests.randomProblem(&rng, RandomProblemOptions(outputActivation: .sigmoid, loss: .halfSSE, depth: 2...3))
            let run = try problem.train(TrainingOptions(learningRate: 1e-3, steps: 5))
            for i in 1..<run.losses.count { #expect(run.losses[i] <= run.losses[i - 1]) }
            #expect(run.finalLoss <= run.losses.last!)
        }
    }

    /// Training consumes its problem and updates the network in place: a problem the caller still
    /// holds must not change (its arrays are copied before the first write).
    @Test(arguments: 0..<4)
    func trainingLeavesTheProblemAndSpecAsTheyWere(_ seed: Int) throws {
        let problem = try Self.randomProblem(seed: 0x0DD + UInt64(seed))
        // Fresh arrays (map), so that a write through shared storage would show as a difference.
        func snapshot(_ p: Problem) -> [[UInt64]] {
            p.network.layers.flatMap { [$0.weights.storage.map(\.bitPattern), ($0.biases ?? []).map(\.bitPattern)] }
                + [p.inputs.storage.map(\.bitPattern), p.targets!.storage.map(\.bitPattern)]
        }
        let before = snapshot(problem)
        _ = try problem.train(TrainingOptions(learningRate: 0.3, steps: 3))
        #expect(snapshot(problem) == before)
    }

    /// The optimizer comes back with its step count advanced by the steps taken.
    @Test func theOptimizerCountsTheSteps() throws {
        let problem = try Self.randomProblem(seed: 0x57E)
        let run = try problem.train(TrainingOptions(learningRate: 0.5, steps: 3), optimizer: Optimizer(step: 4))
        #expect(run.optimizer.step == 7)
    }
}
