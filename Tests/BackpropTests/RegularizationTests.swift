// L2/L1 regularization: the penalty against a plain sum written here, its gradient term against
// central finite differences of the penalty and of the whole objective E + P, biases never
// touched, and no regularization leaving gradients bit for bit as backpropagation made them.

import Testing
@testable import Backprop

@Suite("Regularization")
struct RegularizationTests {
    /// A network of odd sizes (the four-way partial sums have tails) with biases, weights in ±1
    /// but at least 0.01 from 0, where |w| has a derivative a finite difference can see.
    static func network(_ rng: inout SplitMix64, biases: Bool = true) -> Network {
        func weight() -> Double {
            let w = rng.uniform(0.01, 1)
            return rng.bool() ? w : -w
        }
        return Network(layers: [(5, 3), (3, 5), (2, 3)].map { units, inputs in
            DenseLayer(weights: Matrix(rows: units, cols: inputs, storage: (0..<(units * inputs)).map { _ in weight() }),
                       biases: biases ? rng.vector(units, -3, 3) : nil)
        })
    }

    static let cases = [Regularization(l2: 0.1), Regularization(l1: 0.05), Regularization(l2: 0.3, l1: 0.02), Regularization(l2: 2e-4, l1: 1e-5)]

    /// P = (λ2/2)·Σw² + λ1·Σ|w| over the weights alone, summed here in plain order.
    /// Tolerance: relative 1e-14 (sums of 36 non-negative terms, in another order).
    @Test(arguments: cases)
    func penaltyIsTheSumOverWeights(_ r: Regularization) {
        var rng = SplitMix64(seed: 0x9E6)
        let network = Self.network(&rng)
        var squares = 0.0, magnitudes = 0.0
        for layer in network.layers {
            for w in layer.weights.storage {
                squares += w * w
                magnitudes += Swift.abs(w)
            }
        }
        #expect(isClose(r.penalty(network), r.l2 / 2 * squares + r.l1 * magnitudes, rel: 1e-14))
        // Biases never count: other biases, or none, give the same penalty bit for bit.
        var other = network
        for l in other.layers.indices { other.layers[l].biases = other.layers[l].biases.map { $0.map { $0 * 100 } } }
        #expect(r.penalty(other).bitPattern == r.penalty(network).bitPattern)
        other.layers = other.layers.map { DenseLayer(weights: $0.weights, biases: nil, activation: $0.activation) }
        #expect(r.penalty(other).bitPattern == r.penalty(network).bitPattern)
    }

    /// The gradient term λ2·w + λ1·sign(w) equals (P(w+h) − P(w−h)) / 2h for every weight.
    /// Tolerance: relative 1e-7 plus 1e-9 absolute. P is quadratic plus piecewise linear, so the
    /// quotient has no truncation error (|w| ≥ 0.01 > h keeps w's sign); its rounding error is
    /// about ε·P/h ≈ 1e-10 for P ≈ 1, h = 1e-6.
    @Test(arguments: cases)
    func gradientTermIsThePenaltysDerivative(_ r: Regularization) {
        var rng = SplitMix64(seed: 0xFD2)
        let network = Self.network(&rng)
        var terms = network.layers.map { Matrix(zeros: $0.weights.rows, $0.weights.cols) }
        r.addGradients(network, to: &terms)
        for l in network.layers.indices {
            for e in network.layers[l].weights.storage.indices {
                let w = network.layers[l].weights.storage[e], h = 1e-6
                var plus = network, minus = network
                plus.layers[l].weights.storage[e] = w + h
                minus.layers[l].weights.storage[e] = w - h
                let fd = (r.penalty(plus) - r.penalty(minus)) / (2 * h)
                #expect(isClose(terms[l].storage[e], fd, rel: 1e-7, abs: 1e-9), "layer \(l) weight \(e): \(terms[l].storage[e]) vs \(fd)")
            }
        }
    }

    /// The regularized weight gradient is the derivative of the whole objective E + P, and the
    /// bias gradient stays that of E (P has no biases), on random smooth networks. Tolerance as
    /// FiniteDifferenceTests: relative 1e-6 plus 1e-7·max(1, |E + P|).
    @Test(arguments: 0..<6)
    func regularizedGradientsAreTheObjectivesDerivatives(_ seed: Int) throws {
        var rng = SplitMix64(seed: 0x0B1 + UInt64(seed))
        let softmax = seed % 2 == 0
        let problem = try randomProblem(&rng, RandomProblemOptions(
            outputActivation: softmax ? .softmax : .sigmoid, hiddenActivation: seed % 3 == 0 ? .tanh : .sigmoid,
            loss: softmax ? .crossEntropy : .halfSSE, batch: true, depth: 2...3, width: 2...4, samples: 2...4))
        let r = Self.cases[seed % Self.cases.count]
        let g = try problem.gradients()
        var dW = g.layers.map(\.weightGradients)
        let penalty = r.addGradients(problem.network, to: &dW)
        #expect(penalty.bitPattern == r.penalty(problem.network).bitPattern)

        func objective(_ network: Network) throws -> Double {
            var p = problem
            p.network = network
            return try p.forward().loss! + r.penalty(network)
        }
        let tolerance = { (a: Double, b: Double, at: Double) in isClose(a, b, rel: 1e-6, abs: 1e-7 * Swift.max(1, Swift.abs(at))) }
        for l in problem.network.layers.indices {
            for e in problem.network.layers[l].weights.storage.indices {
                let w = problem.network.layers[l].weights.storage[e]
                guard Swift.abs(w) > 1e-3 || r.l1 == 0 else { continue }  // |w| has no derivative at 0
                let h = 1e-6 * Swift.max(1, Swift.abs(w))
                var plus = problem.network, minus = problem.network
                plus.layers[l].weights.storage[e] = w + h
                minus.layers[l].weights.storage[e] = w - h
                let fPlus = try objective(plus), fMinus = try objective(minus)
                let fd = (fPlus - fMinus) / (2 * h)
                #expect(tolerance(dW[l].storage[e], fd, fPlus), "layer \(l) weight \(e)")
            }
            guard let biases = problem.network.layers[l].biases else { continue }
            for j in biases.indices {
                let h = 1e-6 * Swift.max(1, Swift.abs(biases[j]))
                var plus = problem.network, minus = problem.network
                plus.layers[l].biases![j] += h
                minus.layers[l].biases![j] -= h
                let fPlus = try objective(plus), fMinus = try objective(minus)
                #expect(tolerance(g.layers[l].biasGradients![j], (fPlus - fMinus) / (2 * h), fPlus), "layer \(l) bias \(j)")
            }
        }
    }

    /// The term is added exactly as written, ∂E/∂w + λ2·w + λ1·sign(w) left to right, a term
    /// whose λ is 0 left out; sign(±0) = 0, so a zero weight feels no pull.
    @Test func termIsAddedAsWritten() {
        let weights = Matrix(rows: 2, cols: 4, storage: [0.5, -0.25, 0, -0.0, 1e-3, -3, 7, 0.1])
        let gradient = Matrix(rows: 2, cols: 4, storage: [0.1, 0.2, -0.3, 0.4, -0.5, 0.6, 0.7, -0.8])
        func sign(_ x: Double) -> Double { x > 0 ? 1 : x < 0 ? -1 : 0 }
        let expected: [(Regularization, (Double, Double) -> Double)] = [
            (Regularization(l2: 0.3), { g, w in g + 0.3 * w }),
            (Regularization(l1: 0.07), { g, w in g + 0.07 * sign(w) }),
            (Regularization(l2: 0.3, l1: 0.07), { g, w in (g + 0.3 * w) + 0.07 * sign(w) }),
        ]
        for (r, formula) in expected {
            var g = gradient
            r.addGradient(weights: weights, to: &g)
            #expect(g.storage.map(\.bitPattern) == zip(gradient.storage, weights.storage).map { formula($0, $1).bitPattern }, "\(r)")
            #expect(g.storage[2] == gradient.storage[2] && g.storage[3] == gradient.storage[3], "zero weights: no pull")
        }
    }

    /// No regularization: every gradient stays bit for bit (no pass runs), and P = 0.
    @Test func noRegularizationChangesNothing() throws {
        var rng = SplitMix64(seed: 0x2E0)
        var network = Self.network(&rng)
        network.layers[0].weights.storage[1] = 0.5  // −0 + 0·sign(0.5) = +0: a pass that adds a zero term shows
        let original = network.layers.map { layer in
            Matrix(rows: layer.weights.rows, cols: layer.weights.cols, storage: rng.vector(layer.weights.storage.count, -1, 1).map { $0 == 0 ? -0.0 : $0 })
        }
        var gradients = original
        gradients[0].storage[1] = -0.0  // nothing may be added at all, not even a zero
        let withNegativeZero = gradients
        #expect(Regularization.none.addGradients(network, to: &gradients) == 0)
        #expect(gradients.map { $0.storage.map(\.bitPattern) } == withNegativeZero.map { $0.storage.map(\.bitPattern) })
        var one = withNegativeZero[0]
        Regularization(l2: 0, l1: 0).addGradient(weights: network.layers[0].weights, to: &one)
        #expect(one.storage.map(\.bitPattern) == withNegativeZero[0].storage.map(\.bitPattern))
        #expect(Regularization.none.penalty(network) == 0)
        #expect(Regularization.none.isZero && !Regularization(l1: 1e-300).isZero)
    }
}

extension Regularization: CustomTestStringConvertible {
    public var testDescription: String { "l2 \(l2), l1 \(l1)" }
}
