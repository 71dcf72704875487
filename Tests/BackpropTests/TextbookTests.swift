// The 2-2-2 sigmoid network without biases of backprop.md, with every textbook formula written out
// by hand below (z1 = σ(w11 x1 + w12 x2), δy1 = (y1 − t1)·y1(1 − y1), ∂E/∂w11 = δh1·x1, …) and
// compared with the core's forward, gradients and one η = 1 step for 25 seeded random cases.

import Testing
@testable import Backprop

@Suite("Textbook 2-2-2 sigmoid network")
struct TextbookTests {
    /// Relative tolerance 1e-12 (backprop.md: "to the last few bits"). Absolute floor 1e-15: a
    /// quantity that is nearly zero through cancellation (y1 − t1 with y1 ≈ t1, or δy1·w31 + δy2·w41)
    /// is only defined to a few ulps of its O(1) terms, ≈ 1e-16 each.
    static func close(_ a: Double, _ b: Double) -> Bool { isClose(a, b, rel: 1e-12, abs: 1e-15) }

    @Test func handFormulasMatchForwardGradientsAndStep() throws {
        var rng = SplitMix64(seed: 0x2_2_2)
        for trial in 0..<25 {
            let w11 = rng.uniform(-2, 2), w12 = rng.uniform(-2, 2)
            let w21 = rng.uniform(-2, 2), w22 = rng.uniform(-2, 2)
            let w31 = rng.uniform(-2, 2), w32 = rng.uniform(-2, 2)
            let w41 = rng.uniform(-2, 2), w42 = rng.uniform(-2, 2)
            let x1 = rng.uniform(-2, 2), x2 = rng.uniform(-2, 2)
            let t1 = rng.uniform(0, 1), t2 = rng.uniform(0, 1)

            // Forward, by hand (hidden units 1, 2; output units 3, 4 = y1, y2).
            let a11 = w11 * x1 + w12 * x2, a21 = w21 * x1 + w22 * x2      // a1(1), a2(1)
            let z1 = sigmoidRef(a11), z2 = sigmoidRef(a21)
            let a12 = w31 * z1 + w32 * z2, a22 = w41 * z1 + w42 * z2      // a1(2), a2(2)
            let y1 = sigmoidRef(a12), y2 = sigmoidRef(a22)
            let loss = 0.5 * (t1 - y1) * (t1 - y1) + 0.5 * (t2 - y2) * (t2 - y2)

            // Backward, by hand.
            let dy1 = (y1 - t1) * y1 * (1 - y1)
            let dy2 = (y2 - t2) * y2 * (1 - y2)
            let dh1 = (dy1 * w31 + dy2 * w41) * z1 * (1 - z1)
            let dh2 = (dy1 * w32 + dy2 * w42) * z2 * (1 - z2)
            let gw11 = dh1 * x1, gw12 = dh1 * x2
            let gw21 = dh2 * x1, gw22 = dh2 * x2
            let gw31 = dy1 * z1, gw32 = dy1 * z2
            let gw41 = dy2 * z1, gw42 = dy2 * z2

            // The η = 1 update, and the loss of the updated network, by hand.
            let n11 = w11 - gw11, n12 = w12 - gw12, n21 = w21 - gw21, n22 = w22 - gw22
            let n31 = w31 - gw31, n32 = w32 - gw32, n41 = w41 - gw41, n42 = w42 - gw42
            let nz1 = sigmoidRef(n11 * x1 + n12 * x2), nz2 = sigmoidRef(n21 * x1 + n22 * x2)
            let ny1 = sigmoidRef(n31 * nz1 + n32 * nz2), ny2 = sigmoidRef(n41 * nz1 + n42 * nz2)
            let finalLoss = 0.5 * (t1 - ny1) * (t1 - ny1) + 0.5 * (t2 - ny2) * (t2 - ny2)

            // The core. layers[0].weights = [[w11, w12], [w21, w22]], layers[1].weights = [[w31, w32], [w41, w42]].
            let problem = try makeProblem([TestLayer(weights: [[w11, w12], [w21, w22]], activation: .sigmoid), TestLayer(weights: [[w31, w32], [w41, w42]], activation: .sigmoid)],
                                      inputs: [[x1, x2]], targets: [[t1, t2]])
            let g = try problem.gradients()
            let c = Self.close

            try #require(g.layers.count == 2)
            #expect(zip(g.layers[0].weightedSums.storage, [a11, a21]).allSatisfy(c), "trial \(trial)")
            #expect(zip(g.layers[0].outputs.storage, [z1, z2]).allSatisfy(c), "trial \(trial)")
            #expect(zip(g.layers[1].weightedSums.storage, [a12, a22]).allSatisfy(c), "trial \(trial)")
            #expect(zip(g.layers[1].outputs.storage, [y1, y2]).allSatisfy(c), "trial \(trial)")
            #expect(c(g.loss, loss), "trial \(trial)")

            #expect(g.layers[1].deltas.rows == 1 && g.layers[1].deltas.cols == 2)
            #expect(zip(g.layers[1].deltas.storage, [dy1, dy2]).allSatisfy(c), "trial \(trial)")
            #expect(zip(g.layers[0].deltas.storage, [dh1, dh2]).allSatisfy(c), "trial \(trial)")

            let gw0 = g.layers[0].weightGradients, gw1 = g.layers[1].weightGradients
            #expect(gw0.rows == 2 && gw0.cols == 2 && gw1.rows == 2 && gw1.cols == 2)
            #expect(c(gw0[0, 0], gw11) && c(gw0[0, 1], gw12) && c(gw0[1, 0], gw21) && c(gw0[1, 1], gw22), "trial \(trial)")
            #expect(c(gw1[0, 0], gw31) && c(gw1[0, 1], gw32) && c(gw1[1, 0], gw41) && c(gw1[1, 1], gw42), "trial \(trial)")
            #expect(g.layers[0].biasGradients == nil && g.layers[1].biasGradients == nil)

            let step = try problem.train(TrainingOptions(learningRate: 1))
            let u0 = step.network.layers[0], u1 = step.network.layers[1]
            #expect(zip(u0.weights.storage, [n11, n12, n21, n22]).allSatisfy(c), "trial \(trial)")
            #expect(zip(u1.weights.storage, [n31, n32, n41, n42]).allSatisfy(c), "trial \(trial)")
            #expect(u0.biases == nil && u1.biases == nil)
            #expect(u0.activation == .sigmoid && u1.activation == .sigmoid)
            try #require(step.losses.count == 1)
            #expect(c(step.losses[0], loss) && c(step.loss, loss), "trial \(trial)")
            #expect(c(step.finalLoss, finalLoss), "trial \(trial)")
            // The step's reported layers are the backward pass before the update.
            #expect(zip(step.lastGradients.layers[0].deltas.storage, [dh1, dh2]).allSatisfy(c), "trial \(trial)")
            #expect(zip(step.lastGradients.layers[1].weightGradients.storage, [gw31, gw32, gw41, gw42]).allSatisfy(c), "trial \(trial)")
        }
    }

    /// The formulas above are a real check: a wrong sign convention (w_ij instead of w_ji) changes
    /// the numbers. Guards against the test silently comparing a symmetric case.
    @Test func weightLayoutIsDestinationFirst() throws {
        // w12 = 1 carries x2 into hidden unit 1; w21 = 0 carries nothing from x1 into unit 2.
        let out = try makeProblem([TestLayer(weights: [[0, 1], [0, 0]], activation: .linear)], inputs: [[3, 5]], targets: nil).forward()
        #expect(out.output.storage == [5, 0])
        #expect(out.loss == nil)
    }
}
