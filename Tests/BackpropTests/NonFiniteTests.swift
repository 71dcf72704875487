// Overflow never leaves the core as a number: it becomes a .nonFinite error at network.layers[l]
// whose message names the layer and, in training, the step. And where the math is finite the core
// keeps it finite: saturated sigmoid and softmax, cross-entropy of saturated outputs.

import Testing
@testable import Backprop

@Suite("Non-finite results")
struct NonFiniteTests {
    static let advice = "try a smaller learning rate, smaller weights or scaled inputs"

    static func problem(_ layers: [TestLayer], inputs: [[Double]], targets: [[Double]]? = nil,
                        loss: LossFunction = .halfSSE, reduction: Reduction = .mean) throws -> Problem {
        try makeProblem(layers, inputs: inputs, targets: targets, loss: loss, reduction: reduction)
    }

    @Test func weightedSumOverflowNamesTheLayer() throws {
        // 1e200 · 1e200 = 1e400 overflows to +Infinity in layer 0.
        let p = try Self.problem([TestLayer(weights: [[1e200]], activation: .linear)], inputs: [[1e200]])
        expectIssue(captureError { () throws(BackpropError) in try p.forward() }, .nonFinite, at: .layer(0),
                    "the weighted sums of layer 0 became non-finite (overflow or NaN); \(Self.advice)", count: 1)

        // Finite through layer 0, overflowing in layer 1.
        let deep = try Self.problem([
            TestLayer(weights: [[1e200]], activation: .linear),
            TestLayer(weights: [[1e200], [1]], activation: .linear),
        ], inputs: [[1]], targets: [[0, 0]])
        let error = captureError { () throws(BackpropError) in try deep.gradients() }
        expectIssue(error, .nonFinite, at: .layer(1), "the weighted sums of layer 1 became non-finite", exact: false, count: 1)
        #expect(error?.issues[0].message.contains("in step") == false)
    }

    @Test func lossOverflowNamesTheOutputLayer() throws {
        // y = 1e200 is finite, ½(0 − y)² = 5e399 is not.
        let p = try Self.problem([TestLayer(weights: [[1e100]], activation: .linear)], inputs: [[1e100]], targets: [[0]])
        expectIssue(captureError { () throws(BackpropError) in try p.forward() }, .nonFinite, at: .layer(0),
                    "the loss of layer 0 became non-finite (overflow or NaN); \(Self.advice)", count: 1)
    }

    /// w ← (1 − η)w blows up a few steps in: with x = 1, t = 0, E = ½w², ∂E/∂w = w and η = 1e100,
    /// w goes 1 → −1e100 → 1e200, and the loss of step 3, ½·1e400, overflows.
    @Test func trainingBlowsUpInALaterStep() throws {
        let p = try Self.problem([TestLayer(weights: [[1]], activation: .linear)], inputs: [[1]], targets: [[0]])
        let error = captureError { () throws(BackpropError) in try p.train(TrainingOptions(learningRate: 1e100, steps: 10)) }
        expectIssue(error, .nonFinite, at: .layer(0),
                    "the loss of layer 0 became non-finite (overflow or NaN) in step 3 of 10; \(Self.advice)", count: 1)
        // One step is fine (final w = −1e100, E = 5e199); after two, the final loss ½·1e400 overflows.
        let one = try p.train(TrainingOptions(learningRate: 1e100, steps: 1))
        #expect(one.losses == [0.5] && one.finalLoss.isFinite && one.network.layers[0].weights.storage == [1 - 1e100])
        expectIssue(captureError { () throws(BackpropError) in try p.train(TrainingOptions(learningRate: 1e100, steps: 2)) },
                    .nonFinite, at: .layer(0), "the loss of layer 0 became non-finite (overflow or NaN) in step 2 of 2",
                    exact: false, count: 1)
    }

    @Test func updateOverflowNamesStepAndLayer() throws {
        // ∂E/∂w = (y − t)·x = 2·2 = 4; w − η·4 with η = greatestFiniteMagnitude is −Infinity.
        let p = try Self.problem([
            TestLayer(weights: [[1]], activation: .linear),
            TestLayer(weights: [[1]], activation: .linear),
        ], inputs: [[2]], targets: [[0]])
        let error = captureError { () throws(BackpropError) in
            try p.train(TrainingOptions(learningRate: .greatestFiniteMagnitude, steps: 2))
        }
        expectIssue(error, .nonFinite, at: .layer(0),
                    "the updated weights of layer 0 became non-finite (overflow or NaN) in step 1 of 2; \(Self.advice)", count: 1)
    }

    @Test func updatedBiasOverflowIsReported() throws {
        // x = 0 keeps ∂E/∂w = 0; the bias gradient is y − t = 2 − 0, and b − η·2 = −Infinity.
        let p = try Self.problem([TestLayer(weights: [[1]], biases: [2], activation: .linear)], inputs: [[0]], targets: [[0]])
        let error = captureError { () throws(BackpropError) in try p.train(TrainingOptions(learningRate: .greatestFiniteMagnitude)) }
        expectIssue(error, .nonFinite, at: .layer(0),
                    "the updated biases of layer 0 became non-finite (overflow or NaN) in step 1 of 1", exact: false, count: 1)
    }

    /// Each sample's δ is finite, but their sum over the batch (the bias gradient) is not.
    /// Layer 0: z = [0.5, 0.5] for both samples; layer 1: w = [1.5e308, −1.5e308] so a = 0 and
    /// δ(1) = y − t = −1; δ(0) = δ(1)·w = [∓1.5e308] per sample; Σ over 2 samples = ∓3e308 = ∓Infinity.
    @Test(arguments: [Reduction.sum, .mean])
    func biasGradientOverflowIsReported(_ reduction: Reduction) throws {
        let p = try Self.problem([
            TestLayer(weights: [[1], [1]], biases: [0.5, 0.5], activation: .linear),
            TestLayer(weights: [[1.5e308, -1.5e308]], activation: .linear),
        ], inputs: ([[0], [0]]), targets: ([[1], [1]]), reduction: reduction)
        let error = captureError { () throws(BackpropError) in try p.gradients() }
        expectIssue(error, .nonFinite, at: .layer(0), "the bias gradients of layer 0 became non-finite", exact: false, count: 1)
        let stepError = captureError { () throws(BackpropError) in try p.train(TrainingOptions(learningRate: 1e-300, steps: 4)) }
        expectIssue(stepError, .nonFinite, at: .layer(0), "the bias gradients of layer 0 became non-finite (overflow or NaN) in step 1 of 4",
                    exact: false, count: 1)
    }

    // MARK: Finite where the math is finite

    @Test func saturatedActivationsStayFinite() throws {
        let x: [Double] = [-1e308, 1e308, -1000, 1000]
        let sigmoid = try Self.problem([TestLayer(weights: [[1]], activation: .sigmoid)], inputs: (x.map { [$0] })).forward()
        #expect(sigmoid.output.storage == [0, 1, 0, 1])
        let tanh = try Self.problem([TestLayer(weights: [[1]], activation: .tanh)], inputs: (x.map { [$0] })).forward()
        #expect(tanh.output.storage == [-1, 1, -1, 1])
        // softmax of [1000, −1000] and of [1e308, −1e308]: the max is subtracted first.
        let softmax = try Self.problem([TestLayer(weights: [[1], [-1]], activation: .softmax)],
                                       inputs: ([[1000], [1e308], [0]])).forward()
        #expect(softmax.output.storage == [1, 0, 1, 0, 0.5, 0.5])
    }

    @Test func crossEntropyOfSaturatedOutputsIsFinite() throws {
        // sigmoid(1000) rounds to 1, so −ln(1 − y) would be +Infinity; the true loss is softplus(1000) = 1000.
        let sigmoid = try Self.problem([TestLayer(weights: [[1]], activation: .sigmoid)], inputs: ([[1000], [-1000]]),
                                       targets: ([[0], [1]]), loss: .crossEntropy, reduction: .sum)
        let sg = try sigmoid.gradients()
        // Each sample is confidently wrong: softplus(1000) = 1000 + ln(1 + e^−1000) = 1000 exactly.
        #expect(sg.loss == 2000)
        #expect(sg.layers[0].deltas.storage == [1, -1])
        #expect(sg.layers[0].weightGradients.storage == [1000 + 1000])   // Σ_n δ_n x_n = 1·1000 + (−1)(−1000)

        // softmax [1000, −1000] with the mass on the unit whose y rounds to 0: E = 2000, not −ln 0.
        let softmax = try Self.problem([TestLayer(weights: [[1], [-1]], activation: .softmax)], inputs: [[1000]],
                                       targets: [[0, 1]], loss: .crossEntropy)
        let smg = try softmax.gradients()
        #expect(smg.loss == 2000)
        #expect(smg.layers[0].deltas.storage == [1, -1])
    }

    /// Random networks with weights up to 1e±150: every computation either throws .nonFinite at a
    /// layer or returns only finite numbers (outputs, deltas, gradients, updated parameters, losses).
    @Test func extremeNetworksNeverLeakNonFiniteNumbers() throws {
        var rng = SplitMix64(seed: 0xBAD)
        var threw = 0, finished = 0
        for trial in 0..<150 {
            let output = rng.pick(Activation.allCases)
            let loss: LossFunction = (output == .softmax || output == .sigmoid) && rng.bool() ? .crossEntropy : rng.pick([.halfSSE, .mse])
            var problem = try randomProblem(&rng, RandomProblemOptions(outputActivation: output, loss: loss, reduction: rng.pick(Reduction.allCases),
                                                                       batch: rng.bool(), biases: rng.bool(), depth: 1...4))
            let scale = Double.pow10(rng.int(0...150))
            for l in problem.network.layers.indices {
                problem.network.layers[l].weights.storage = problem.network.layers[l].weights.storage.map { $0 * scale }
                problem.network.layers[l].biases = problem.network.layers[l].biases?.map { $0 * scale }
            }
            let options = TrainingOptions(learningRate: Double.pow10(rng.int(0...100)), steps: 3)
            do {
                let run = try problem.train(options)
                finished += 1
                #expect(run.losses.allSatisfy(\.isFinite) && run.finalLoss.isFinite, "trial \(trial)")
                for layer in run.network.layers {
                    #expect(layer.weights.isFinite && (layer.biases ?? []).allSatisfy(\.isFinite), "trial \(trial)")
                }
                for lg in run.lastGradients.layers {
                    #expect(lg.weightedSums.isFinite && lg.outputs.isFinite && lg.deltas.isFinite, "trial \(trial)")
                    #expect(lg.weightGradients.isFinite && (lg.biasGradients ?? []).allSatisfy(\.isFinite), "trial \(trial)")
                }
            } catch {
                threw += 1
                #expect(error.kind == .nonFinite, "trial \(trial): \(error)")
                #expect(error.issues.count == 1 && error.issues[0].message.contains(" in step "), "trial \(trial): \(error)")
                if case .layer = error.issues[0].part {} else { Issue.record("trial \(trial): \(error)") }
            }
        }
        // Both outcomes were exercised.
        #expect(threw > 10 && finished > 10, "threw \(threw), finished \(finished)")
    }
}

extension Double {
    /// 10ⁿ, exactly as the literal would be for the small n used here.
    static func pow10(_ n: Int) -> Double {
        var x = 1.0
        for _ in 0..<n { x *= 10 }
        return x
    }
}
