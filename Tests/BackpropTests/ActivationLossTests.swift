// Each activation's forward values and each loss's value against the naive textbook formulas
// (−Σ t ln y, the binary form, ½Σ(t − y)², (1/K)Σ(t − y)², mean / sum over a batch), and the output
// deltas: y − t exactly for the canonical cross-entropy pairs, the softmax Jacobian for half_sse.

import Testing
@testable import Backprop

@Suite("Activations and losses")
struct ActivationLossTests {
    /// A one-layer network whose weighted sums are exactly the given rows: identity weights, no bias.
    static func identityProblem(_ a: [[Double]], activation: Activation, targets: [[Double]]? = nil,
                                loss: LossFunction = .halfSSE, reduction: Reduction = .mean) -> Problem {
        let k = a[0].count
        let identity = (0..<k).map { j in (0..<k).map { i in i == j ? 1.0 : 0.0 } }
        return try! Problem(network: Network(layers: [DenseLayer(weights: Matrix(rectangular: identity), activation: activation)]),
                       inputs: Matrix(rectangular: a), targets: targets.map { Matrix(rectangular: $0) },
                       loss: loss, reduction: reduction)
    }

    /// Finite in, finite out: the rule Network.forward relies on when it checks a(l) and not z(l).
    /// Every activation, on rows of the most extreme finite numbers (softmax sees them together,
    /// so its maximum subtraction is exercised at ±1e308 and at the largest magnitude).
    @Test(arguments: Activation.allCases)
    func finiteWeightedSumsGiveFiniteOutputs(_ activation: Activation) {
        let extremes: [[Double]] = [
            [1e308, -1e308, 0], [Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 1],
            [-1e308, -1e308, -1e308], [1e308, 1e308, 1e308], [Double.leastNonzeroMagnitude, -Double.leastNonzeroMagnitude, 0], [710, -745, 36],
        ]
        let z = activation.forward(Matrix(rectangular: extremes))
        #expect(z.isFinite, "\(activation): \(z.storage)")
    }

    /// Forward values against libm formulas. Relative 1e-13: the core computes the same functions,
    /// softmax after subtracting the row maximum (a few ulps from the naive quotient).
    @Test(arguments: Activation.allCases)
    func forwardMatchesFormula(_ activation: Activation) throws {
        var rng = SplitMix64(seed: 0xAC7)
        let a = rng.rows(4, 5, -4, 4)
        let out = try Self.identityProblem(a, activation: activation).forward()
        #expect(out.layers[0].weightedSums.rowArrays == a)
        for (n, row) in a.enumerated() {
            let expected: [Double]
            switch activation {
            case .sigmoid: expected = row.map { 1 / (1 + expRef(-$0)) }
            case .tanh: expected = row.map(tanhRef)
            case .relu: expected = row.map { $0 > 0 ? $0 : 0 }
            case .leakyRelu: expected = row.map { $0 > 0 ? $0 : 0.01 * $0 }
            case .linear: expected = row
            case .softmax:
                let e = row.map(expRef)
                let s = e.reduce(0, +)
                expected = e.map { $0 / s }
            }
            #expect(allClose(Array(out.output.row(n)), expected, rel: 1e-13), "\(activation) row \(n)")
        }
    }

    @Test func softmaxRowsSumToOneAndAreIndependent() throws {
        let out = try Self.identityProblem([[1, 2, 3], [0, 0, 0]], activation: .softmax).forward()
        #expect(isClose(out.output.row(0).reduce(0, +), 1, rel: 1e-15))
        #expect(allClose(Array(out.output.row(1)), [1.0 / 3, 1.0 / 3, 1.0 / 3], rel: 1e-15))
    }

    /// half_sse and mse per sample, and their mean / sum over the batch, by hand.
    @Test(arguments: [Reduction.mean, .sum])
    func squaredErrorLosses(_ reduction: Reduction) throws {
        var rng = SplitMix64(seed: 0x55E)
        let a = rng.rows(3, 4, -2, 2), t = rng.rows(3, 4, -1, 1)
        var half = 0.0, mse = 0.0
        for n in 0..<3 {
            var s = 0.0
            for k in 0..<4 { s += (t[n][k] - a[n][k]) * (t[n][k] - a[n][k]) }
            half += 0.5 * s
            mse += s / 4
        }
        if reduction == .mean { half /= 3; mse /= 3 }
        let pHalf = Self.identityProblem(a, activation: .linear, targets: t, loss: .halfSSE, reduction: reduction)
        let pMSE = Self.identityProblem(a, activation: .linear, targets: t, loss: .mse, reduction: reduction)
        #expect(isClose(try pHalf.forward().loss!, half, rel: 1e-13))
        #expect(isClose(try pMSE.forward().loss!, mse, rel: 1e-13))
        // ∂E/∂y: y − t and 2(y − t)/K; with a linear output that is δ(L).
        let gHalf = try pHalf.gradients(), gMSE = try pMSE.gradients()
        for n in 0..<3 {
            for k in 0..<4 {
                #expect(isClose(gHalf.layers[0].deltas[n, k], a[n][k] - t[n][k], rel: 1e-15, abs: 1e-16))
                #expect(isClose(gMSE.layers[0].deltas[n, k], 2 * (a[n][k] - t[n][k]) / 4, rel: 1e-15, abs: 1e-16))
            }
        }
    }

    /// −Σ t ln y after softmax and −Σ [t ln y + (1 − t) ln(1 − y)] after sigmoid, naively from y, on
    /// outputs far from 0 and 1 (|a| ≤ 3). Relative 1e-12: the core's log-sum-exp / softplus form is
    /// algebraically equal; the naive form loses at most a few ulps of ln y per term.
    @Test(arguments: [Activation.softmax, .sigmoid], [Reduction.mean, .sum])
    func crossEntropyMatchesNaiveFormula(_ output: Activation, _ reduction: Reduction) throws {
        var rng = SplitMix64(seed: output == .softmax ? 0xCE1 : 0xCE2)
        for _ in 0..<10 {
            let n = rng.int(1...4), k = rng.int(1...5)
            let a = rng.rows(n, k, -3, 3)
            let t = randomTargets(&rng, rows: n, width: k, loss: .crossEntropy, output: output)
            let p = Self.identityProblem(a, activation: output, targets: t, loss: .crossEntropy, reduction: reduction)
            let y = try p.forward().output
            var total = 0.0
            for r in 0..<n {
                var e = 0.0
                for c in 0..<k {
                    let yc = y[r, c], tc = t[r][c]
                    if output == .softmax {
                        e -= tc * lnRef(yc)
                    } else {
                        e -= tc * lnRef(yc) + (1 - tc) * lnRef(1 - yc)
                    }
                }
                total += e
            }
            if reduction == .mean { total /= Double(n) }
            #expect(isClose(try p.forward().loss!, total, rel: 1e-12, abs: 1e-15), "a \(a) t \(t)")
        }
    }

    /// The canonical pairs: δ(L) = y − t exactly (one subtraction, so bit-identity is the point),
    /// for every sample of a batch, unscaled by the reduction.
    @Test(arguments: [Activation.softmax, .sigmoid])
    func crossEntropyOutputDeltaIsExactlyYMinusT(_ output: Activation) throws {
        var rng = SplitMix64(seed: 0xDE17A)
        for _ in 0..<10 {
            let p = try randomProblem(&rng, RandomProblemOptions(outputActivation: output, loss: .crossEntropy, reduction: .mean))
            let g = try p.gradients()
            let y = g.output, t = p.targets!
            let expected = zip(y.storage, t.storage).map { $0 - $1 }
            #expect(g.layers.last!.deltas.storage == expected)
        }
    }

    /// softmax + half_sse has no shortcut: δ_j = Σ_k (∂y_k/∂a_j)(y_k − t_k) with ∂y_k/∂a_j = y_k([k = j] − y_j),
    /// written out here, and confirmed by a central difference in the output bias (∂E/∂b_j = δ_j for
    /// one sample). It must differ from the cross-entropy shortcut y − t.
    @Test func softmaxHalfSSEUsesTheJacobian() throws {
        var rng = SplitMix64(seed: 0x50F7)
        var differsFromShortcut = false
        for _ in 0..<10 {
            let k = rng.int(2...5)
            let a = rng.vector(k, -2, 2), t = rng.vector(k, 0, 1)
            let layer = DenseLayer(weights: Matrix(rectangular: (0..<k).map { j in (0..<k).map { i in i == j ? 1.0 : 0.0 } }),
                                   biases: Array(repeating: 0, count: k), activation: .softmax)
            let p = try Problem(network: Network(layers: [layer]), inputs: Matrix(rectangular: [a]),
                            targets: Matrix(rectangular: [t]), loss: .halfSSE)
            let g = try p.gradients()
            let y = Array(g.output.storage)
            for j in 0..<k {
                var dj = 0.0
                for m in 0..<k { dj += y[m] * ((m == j ? 1 : 0) - y[j]) * (y[m] - t[m]) }
                #expect(isClose(g.layers[0].deltas[0, j], dj, rel: 1e-12, abs: 1e-15))
                let h = 1e-6
                var up = p, down = p
                up.network.layers[0].biases![j] = h
                down.network.layers[0].biases![j] = -h
                let fd = (try up.forward().loss! - down.forward().loss!) / (2 * h)
                #expect(isClose(fd, g.layers[0].deltas[0, j], rel: 1e-6, abs: 1e-9))
                if Swift.abs(g.layers[0].deltas[0, j] - (y[j] - t[j])) > 1e-3 { differsFromShortcut = true }
            }
        }
        #expect(differsFromShortcut)
    }

    /// The derivatives at and around the kinks: relu' = [a > 0] (0 at a = 0), leaky_relu' = 1 or 0.01.
    @Test func reluAndLeakyReluDerivatives() throws {
        let a: [[Double]] = [[-2, 0, 3]], t: [[Double]] = [[1, 1, 1]]
        let relu = try Self.identityProblem(a, activation: .relu, targets: t).gradients()
        // y = [0, 0, 3], ∂E/∂y = y − t = [−1, −1, 2]; relu' = [0, 0 (at a = 0), 1] → δ = [0, 0, 2].
        #expect(relu.layers[0].deltas.storage == [0, 0, 2])
        let leaky = try Self.identityProblem(a, activation: .leakyRelu, targets: t).gradients()
        // y = [−0.02, 0, 3], ∂E/∂y = [−1.02, −1, 2]; leaky' = [0.01, 0.01 (at a = 0), 1].
        #expect(allClose(leaky.layers[0].deltas.storage, [0.01 * -1.02, 0.01 * -1, 2], rel: 1e-15))
    }
}
