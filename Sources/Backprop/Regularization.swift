// L2 and L1 penalties on the weights: their value beside the data loss, and their term in the
// weight gradient, added before the optimizer sees it (api-contract.md, "v2 additions").
// Never on biases, as in the textbook and TensorFlow Playground. Not part of the reported loss E:
// the penalty is reported beside it.

/// The penalty `{l2: λ2, l1: λ1}` on every weight of a network.
///
///     objective  = E + P,   P = (λ2 / 2) · Σ w² + λ1 · Σ |w|          (over all weights, no biases)
///     ∂objective/∂w = ∂E/∂w + λ2 · w + λ1 · sign(w),   sign(0) = 0
///
/// sign(0) = 0 is the subgradient PyTorch's `torch.sign` and TensorFlow's L1 use: a weight at
/// exactly 0 feels no L1 pull.
public struct Regularization: Sendable, Equatable {
    /// λ2, the L2 coefficient.
    public var l2: Double
    /// λ1, the L1 coefficient.
    public var l1: Double

    public init(l2: Double = 0, l1: Double = 0) {
        self.l2 = l2
        self.l1 = l1
    }

    /// No regularization: gradients stay bit for bit what backpropagation made.
    public static let none = Regularization()

    public var isZero: Bool { l2 == 0 && l1 == 0 }

    /// P of the network's weights (0 for no regularization, without a pass).
    ///
    /// The sums run over the layers in order; within a layer, Σ w² and Σ |w| are each kept in
    /// four partial sums (element e into sum e mod 4, in order) added as (s0 + s1) + (s2 + s3):
    /// a fixed order, so P is the same on every machine, and four chains instead of one keep the
    /// pass about as fast as reading the weights. May be +Infinity when some |w| > ~1e154 (w²
    /// overflows); the caller checks.
    public func penalty(_ network: Network) -> Double {
        guard !isZero else { return 0 }
        var sums = PenaltySums()
        for layer in network.layers { sums.add(layer.weights.storage, self, gradient: nil) }
        return sums.penalty(self)
    }

    /// Adds λ2·w + λ1·sign(w) to every weight gradient, in place, and returns P of the same
    /// weights (the penalty before the step), computed in the same pass, bit for bit `penalty`.
    ///
    ///     ∂E/∂w ← (∂E/∂w + λ2·w) + λ1·sign(w)     (a term whose λ is 0 is left out, not added as 0)
    ///
    /// With no regularization nothing is touched: the gradients stay bit for bit as they were.
    @discardableResult
    public func addGradients(_ network: Network, to weightGradients: inout [Matrix]) -> Double {
        precondition(weightGradients.count == network.layers.count, "one weight gradient per layer")
        guard !isZero else { return 0 }
        var sums = PenaltySums()
        for l in network.layers.indices {
            let weights = network.layers[l].weights.storage
            precondition(weightGradients[l].storage.count == weights.count, "∂E/∂W shaped like W")
            weightGradients[l].storage.withUnsafeMutableBufferPointer { g in sums.add(weights, self, gradient: g.baseAddress) }
        }
        return sums.penalty(self)
    }

    /// ∂E/∂w plus this regularization's term for one weight, with exactly the operations of
    /// `addGradients` (so /explain's gradient is /gradients', bit for bit).
    public func adding(to g: Double, weight w: Double) -> Double {
        if l2 != 0 && l1 != 0 { return (g + l2 * w) + l1 * sign(w) }
        if l2 != 0 { return g + l2 * w }
        if l1 != 0 { return g + l1 * sign(w) }
        return g
    }

    /// λ1·sign(w), the L1 term of one weight's gradient.
    public func l1Term(weight w: Double) -> Double { l1 * sign(w) }

    /// The same for one layer's gradient (for a caller that holds the layers' gradients apart).
    public func addGradient(weights: Matrix, to gradient: inout Matrix) {
        precondition(gradient.rows == weights.rows && gradient.cols == weights.cols, "∂E/∂W shaped like W")
        guard !isZero else { return }
        var sums = PenaltySums()
        gradient.storage.withUnsafeMutableBufferPointer { g in sums.add(weights.storage, self, gradient: g.baseAddress) }
    }
}

/// Σ w² and Σ |w| over weights seen so far, in the fixed order `Regularization.penalty` states.
struct PenaltySums {
    var squares = 0.0
    var magnitudes = 0.0

    /// (λ2 / 2) · Σ w² + λ1 · Σ |w|, leaving out a term whose λ is 0 (so that an overflowed sum
    /// it does not need cannot make 0 · ∞ = NaN).
    func penalty(_ r: Regularization) -> Double {
        let l2Term = r.l2 == 0 ? 0 : r.l2 / 2 * squares
        let l1Term = r.l1 == 0 ? 0 : r.l1 * magnitudes
        return l2Term + l1Term
    }

    /// Adds one layer's weights to the sums and, when `g` (shaped like w) is given, the gradient
    /// terms to g.
    mutating func add(_ w: [Double], _ r: Regularization, gradient g: UnsafeMutablePointer<Double>?) {
        let n = w.count
        let l2 = r.l2, l1 = r.l1
        var sq = SIMD4<Double>(), mag = SIMD4<Double>()
        w.withUnsafeBufferPointer { buffer in
            guard let w = buffer.baseAddress else { return }
            let whole = n - n % 4
            for e in stride(from: 0, to: whole, by: 4) {
                let x = SIMD4(w[e], w[e + 1], w[e + 2], w[e + 3])
                sq += x * x
                mag += SIMD4(Swift.abs(x[0]), Swift.abs(x[1]), Swift.abs(x[2]), Swift.abs(x[3]))
            }
            for e in whole..<n {
                sq[e - whole] += w[e] * w[e]
                mag[e - whole] += Swift.abs(w[e])
            }
            guard let g else { return }
            // Three loops rather than one with branches: each vectorizes, and a λ of 0 adds nothing.
            if l2 != 0 && l1 != 0 {
                for e in 0..<n { g[e] = (g[e] + l2 * w[e]) + l1 * sign(w[e]) }
            } else if l2 != 0 {
                for e in 0..<n { g[e] = g[e] + l2 * w[e] }
            } else {
                for e in 0..<n { g[e] = g[e] + l1 * sign(w[e]) }
            }
        }
        squares += (sq[0] + sq[1]) + (sq[2] + sq[3])
        magnitudes += (mag[0] + mag[1]) + (mag[2] + mag[3])
    }
}

/// sign(x): 1 for x > 0, −1 for x < 0, 0 for ±0 (weights are never NaN).
///
/// As 1 with x's sign bit unless x is zero: a bit operation and one select, which vectorize;
/// x > 0 ? 1 : x < 0 ? −1 : 0 compiled to branches that weights of random sign mispredict
/// (the gradient pass over 784×128 weights took 44 µs instead of 34).
@inline(__always)
private func sign(_ x: Double) -> Double {
    x == 0 ? 0 : Double(signOf: x, magnitudeOf: 1)
}

extension GradientsResult {
    /// Turns the data loss's weight gradients into the whole objective's, ∂E/∂w + λ2·w + λ1·sign(w)
    /// for the weights of `network` (the network these gradients are of), and returns the
    /// penalty P of those weights. Throws `.nonFinite` when P or a gradient overflows.
    public mutating func addRegularization(_ r: Regularization, of network: Network, site: ComputationSite = .single) throws(BackpropError) -> Double {
        guard !r.isZero else { return 0 }
        let penalty = r.penalty(network)
        guard penalty.isFinite else {
            throw BackpropError(.nonFinite, at: .network, site.describe("the regularization penalty", of: "the weights"))
        }
        for l in network.layers.indices {
            r.addGradient(weights: network.layers[l].weights, to: &layers[l].weightGradients)
            try requireFinite(layers[l].weightGradients, "the weight gradients with regularization", layer: l, site: site)
        }
        return penalty
    }
}
