// Central finite differences (E(w+h) − E(w−h)) / 2h for every weight and bias of random networks
// (depth 1–4, widths 1–5, hidden activations from all six) against the analytic gradients, for every
// output activation × loss × reduction × single/batch × biases combination that validation accepts.

import Testing
@testable import Backprop

/// One combination of the grid.
struct GradientCase: Sendable, CustomTestStringConvertible {
    let output: Activation
    let loss: LossFunction
    let reduction: Reduction
    let batch: Bool
    let biases: Bool

    var testDescription: String {
        "\(output.rawValue)+\(loss.rawValue) \(reduction.rawValue) \(batch ? "batch" : "single") \(biases ? "biases" : "no-biases")"
    }

    /// A stable seed per combination, so every case is replayable on its own.
    var seed: UInt64 {
        let o = UInt64(Activation.allCases.firstIndex(of: output)!)
        let l = UInt64(LossFunction.allCases.firstIndex(of: loss)!)
        let r = UInt64(Reduction.allCases.firstIndex(of: reduction)!)
        return 0xFD00 + o * 1000 + l * 100 + r * 10 + (batch ? 2 : 0) + (biases ? 1 : 0)
    }

    /// Every combination validation accepts: cross_entropy only after softmax or sigmoid.
    static let all: [GradientCase] = {
        var cases: [GradientCase] = []
        for output in Activation.allCases {
            for loss in LossFunction.allCases where loss != .crossEntropy || output == .softmax || output == .sigmoid {
                for reduction in Reduction.allCases {
                    for batch in [false, true] {
                        for biases in [false, true] {
                            cases.append(GradientCase(output: output, loss: loss, reduction: reduction, batch: batch, biases: biases))
                        }
                    }
                }
            }
        }
        return cases
    }()
}

/// Central differences of the reduced loss E with respect to parameters of a problem.
///
/// Tolerance: |fd − analytic| ≤ 1e-6 · max(|fd|, |analytic|) + 1e-7 · max(1, |E|).
/// The relative 1e-6 is the acceptance bar (backprop.md expects ~1e-8 for smooth activations; 1e-6
/// leaves room for relu/softmax networks). The floor: with h ≈ 1e-6 the difference quotient carries a
/// rounding error of about ε·|E|/h ≈ 2e-10·|E| (plus truncation h²·E'''/6 ≈ 1e-12), so a gradient
/// that is truly ~0 (a dead relu, a saturated unit, a softmax of width 1) can only be confirmed to
/// a few times 1e-10·|E|; 1e-7·max(1, |E|) is well above that noise and far below any real gradient
/// error a bug would cause.
struct FiniteDifferences {
    var failures: [String] = []
    var checked = 0

    static func step(_ w: Double) -> Double { 1e-6 * Swift.max(1, Swift.abs(w)) }

    mutating func compare(_ fd: Double, _ analytic: Double, loss: Double, _ what: @autoclosure () -> String) {
        checked += 1
        if !isClose(fd, analytic, rel: 1e-6, abs: 1e-7 * Swift.max(1, Swift.abs(loss))) {
            failures.append("\(what()): finite difference \(fd), analytic \(analytic)")
        }
    }

    /// E after setting one parameter, through the core's forward pass (independent of its backward).
    static func loss(_ problem: Problem, _ set: (inout Network) -> Void) throws -> Double {
        var p = problem
        set(&p.network)
        return try p.forward().loss!
    }

    /// Checks every weight and bias gradient of `g` against central differences of `problem`'s E.
    mutating func checkParameters(_ problem: Problem, _ g: GradientsResult, label: String) throws {
        for (l, layer) in problem.network.layers.enumerated() {
            for e in layer.weights.storage.indices {
                let w = layer.weights.storage[e], h = Self.step(w)
                let up = try Self.loss(problem) { $0.layers[l].weights.storage[e] = w + h }
                let down = try Self.loss(problem) { $0.layers[l].weights.storage[e] = w - h }
                let fd = (up - down) / ((w + h) - (w - h))
                compare(fd, g.layers[l].weightGradients.storage[e], loss: g.loss, "\(label) layer \(l) weight \(e)")
            }
            if let biases = layer.biases {
                for j in biases.indices {
                    let b = biases[j], h = Self.step(b)
                    let up = try Self.loss(problem) { $0.layers[l].biases![j] = b + h }
                    let down = try Self.loss(problem) { $0.layers[l].biases![j] = b - h }
                    let fd = (up - down) / ((b + h) - (b - h))
                    compare(fd, g.layers[l].biasGradients?[j] ?? .nan, loss: g.loss, "\(label) layer \(l) bias \(j)")
                }
            } else {
                if g.layers[l].biasGradients != nil { failures.append("\(label) layer \(l): bias gradients without biases") }
            }
        }
    }

    /// Checks each sample's own, unscaled δ of every layer: for sample n alone, ∂E_n/∂b(l)_j = δ(l)_nj.
    mutating func checkPerSampleDeltas(_ problem: Problem, _ g: GradientsResult, label: String) throws {
        for n in 0..<problem.inputs.rows {
            var one = problem
            one.inputs = Matrix(rectangular: [Array(problem.inputs.row(n))])
            one.targets = Matrix(rectangular: [Array(problem.targets!.row(n))])
            let loss = try one.forward().loss!
            for (l, layer) in problem.network.layers.enumerated() {
                for j in layer.biases!.indices {
                    let b = layer.biases![j], h = Self.step(b)
                    let up = try Self.loss(one) { $0.layers[l].biases![j] = b + h }
                    let down = try Self.loss(one) { $0.layers[l].biases![j] = b - h }
                    let fd = (up - down) / ((b + h) - (b - h))
                    compare(fd, g.layers[l].deltas[n, j], loss: loss, "\(label) sample \(n) layer \(l) delta \(j)")
                }
            }
        }
    }
}

@Suite("Finite differences")
struct FiniteDifferenceTests {
    static let networksPerCase = 8

    @Test(arguments: GradientCase.all)
    func gradientsMatchCentralDifferences(_ c: GradientCase) throws {
        var rng = SplitMix64(seed: c.seed)
        var fd = FiniteDifferences()
        var networks = 0, skippedNearKink = 0, attempts = 0
        while networks < Self.networksPerCase && attempts < 200 {
            attempts += 1
            let problem = try randomProblem(&rng, RandomProblemOptions(
                outputActivation: c.output, loss: c.loss, reduction: c.reduction, batch: c.batch, biases: c.biases))
            // relu / leaky_relu: a difference straddling the kink measures neither slope; resample.
            if try nearKink(problem) { skippedNearKink += 1; continue }
            let g = try problem.gradients()
            let label = "network \(networks)"
            try fd.checkParameters(problem, g, label: label)
            if c.batch && c.biases { try fd.checkPerSampleDeltas(problem, g, label: label) }
            // Gradients are shaped like the parameters they belong to.
            for (layer, lg) in zip(problem.network.layers, g.layers) {
                #expect(lg.weightGradients.rows == layer.weights.rows && lg.weightGradients.cols == layer.weights.cols)
                #expect(lg.deltas.rows == problem.inputs.rows && lg.deltas.cols == layer.units)
                #expect(lg.biasGradients?.count == layer.biases?.count)
            }
            networks += 1
        }
        #expect(fd.failures.isEmpty, "\(fd.failures.count) mismatches, first: \(fd.failures.prefix(5))")
        // Enough was actually checked: every network, and a sizable number of parameters.
        #expect(networks == Self.networksPerCase, "only \(networks) networks away from relu kinks (skipped \(skippedNearKink))")
        #expect(fd.checked >= 60, "only \(fd.checked) derivatives checked")
    }

    /// Every activation as a hidden layer (softmax included, whose Jacobian couples the units), in
    /// networks where all hidden layers use it, so none of the six depends on the random draw above.
    @Test(arguments: Activation.allCases)
    func everyHiddenActivation(_ hidden: Activation) throws {
        var rng = SplitMix64(seed: 0x41DD + UInt64(Activation.allCases.firstIndex(of: hidden)!))
        var fd = FiniteDifferences()
        var networks = 0
        for _ in 0..<40 where networks < 12 {
            let output = rng.pick(Activation.allCases)
            let loss: LossFunction = (output == .softmax || output == .sigmoid) && rng.bool() ? .crossEntropy : rng.pick([.halfSSE, .mse])
            let problem = try randomProblem(&rng, RandomProblemOptions(
                outputActivation: output, hiddenActivation: hidden, loss: loss, reduction: rng.pick(Reduction.allCases),
                batch: rng.bool(), biases: rng.bool(), depth: 2...4, width: 2...5))
            if try nearKink(problem) { continue }
            try fd.checkParameters(problem, try problem.gradients(), label: "network \(networks)")
            networks += 1
        }
        #expect(fd.failures.isEmpty, "\(fd.failures.count) mismatches, first: \(fd.failures.prefix(5))")
        #expect(networks == 12 && fd.checked >= 200, "\(networks) networks, \(fd.checked) derivatives")
    }

    /// A network large enough that every product goes to dgemm (the grid's networks all stay on the
    /// plain loops): 40-30-20, batch 8, the last layer without biases (dgemm's no-bias forward).
    /// Every 7th parameter is checked, about 260 of them.
    @Test func networkOnTheBLASPath() throws {
        var rng = SplitMix64(seed: 0xB1A5)
        let problem = try makeProblem([TestLayer(weights: rng.rows(30, 40, -0.3, 0.3), biases: rng.vector(30, -0.5, 0.5), activation: .tanh), TestLayer(weights: rng.rows(20, 30, -0.3, 0.3), activation: .sigmoid)],
                                  inputs: rng.rows(8, 40, -1, 1), targets: rng.rows(8, 20, 0, 1), loss: .mse)
        // Both layers' forward and weight-gradient products, and layer 1's δ·W (layer 0 needs none),
        // all clear the dgemm threshold.
        for (m, n, k) in [(8, 30, 40), (8, 20, 30), (30, 40, 8), (20, 30, 8), (8, 30, 20)] {
            #expect(BLAS.profits(m: m, n: n, k: k), "\(m)×\(n)×\(k) would use the plain loop")
        }
        let g = try problem.gradients()
        var fd = FiniteDifferences()
        for (l, layer) in problem.network.layers.enumerated() {
            for e in stride(from: 0, to: layer.weights.storage.count, by: 7) {
                let w = layer.weights.storage[e], h = FiniteDifferences.step(w)
                let up = try FiniteDifferences.loss(problem) { $0.layers[l].weights.storage[e] = w + h }
                let down = try FiniteDifferences.loss(problem) { $0.layers[l].weights.storage[e] = w - h }
                fd.compare((up - down) / ((w + h) - (w - h)), g.layers[l].weightGradients.storage[e], loss: g.loss, "layer \(l) weight \(e)")
            }
        }
        for (j, b) in problem.network.layers[0].biases!.enumerated() {
            let h = FiniteDifferences.step(b)
            let up = try FiniteDifferences.loss(problem) { $0.layers[0].biases![j] = b + h }
            let down = try FiniteDifferences.loss(problem) { $0.layers[0].biases![j] = b - h }
            fd.compare((up - down) / ((b + h) - (b - h)), g.layers[0].biasGradients![j], loss: g.loss, "layer 0 bias \(j)")
        }
        #expect(fd.failures.isEmpty, "\(fd.failures.count) mismatches, first: \(fd.failures.prefix(5))")
        #expect(fd.checked >= 250, "only \(fd.checked) derivatives checked")
    }

    /// The kink filter rarely fires, so the relu cases are not silently reduced to nothing.
    @Test func kinkSkipsAreRare() throws {
        var rng = SplitMix64(seed: 0xC1C)
        var near = 0
        for _ in 0..<300 {
            let spec = try randomProblem(&rng, RandomProblemOptions(outputActivation: .relu, loss: .halfSSE))
            if try nearKink(spec) { near += 1 }
        }
        #expect(near < 30, "\(near) of 300 relu networks had a weighted sum within 1e-3 of 0")
    }
}
