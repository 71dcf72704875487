// The optimizer seam's plain descent: w ← w − η·g for every weight and bias, by hand, bit for
// bit (one multiply and one subtract per element), frozen biases untouched, and the step count.

import Testing
@testable import Backprop

@Suite("Optimizer")
struct OptimizerTests {
    /// [1 2; 3 4] − 0.5·[2 2; −2 0] = [0 1; 4 4], and b − 0.5·g for the biases.
    @Test func sgdSubtractsTheScaledGradient() {
        var network = Network(layers: [DenseLayer(weights: Matrix(rectangular: [[1, 2], [3, 4]]), biases: [1, -1])])
        var sgd = Optimizer()
        sgd.update(&network, weightGradients: [Matrix(rectangular: [[2, 2], [-2, 0]])], biasGradients: [[0.5, 4]],
                   learningRate: 0.5, updateBiases: true)
        #expect(network.layers[0].weights.storage == [0, 1, 4, 4])
        #expect(network.layers[0].biases == [0.75, -3])
        #expect(sgd.step == 1)
    }

    /// Random values: each element is exactly w − η·g as Swift computes it.
    @Test func sgdIsExactlyTheTextbookUpdate() {
        var rng = SplitMix64(seed: 0x5CD)
        let w = rng.vector(12, -2, 2), g = rng.vector(12, -1, 1), b = rng.vector(3, -1, 1), gb = rng.vector(3, -1, 1)
        let rate = rng.uniform(0, 2)
        var network = Network(layers: [DenseLayer(weights: Matrix(rows: 3, cols: 4, storage: w), biases: b)])
        var sgd = Optimizer(step: 7)
        sgd.update(&network, weightGradients: [Matrix(rows: 3, cols: 4, storage: g)], biasGradients: [gb], learningRate: rate, updateBiases: true)
        #expect(network.layers[0].weights.storage == zip(w, g).map { $0 - rate * $1 })
        #expect(network.layers[0].biases == zip(b, gb).map { $0 - rate * $1 })
        #expect(sgd.step == 8)
    }

    @Test func frozenBiasesStayBitIdentical() {
        var network = Network(layers: [DenseLayer(weights: Matrix(rectangular: [[1]]), biases: [0.1])])
        var sgd = Optimizer()
        sgd.update(&network, weightGradients: [Matrix(rectangular: [[1]])], biasGradients: [[1]], learningRate: 1, updateBiases: false)
        #expect(network.layers[0].weights.storage == [0])
        #expect(network.layers[0].biases == [0.1])
    }
}
