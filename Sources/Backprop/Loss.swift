// The per-sample losses E(y, t), their reduction over a batch, and the output delta δ(L).
// The output delta is where activation and loss meet: in general it is the activation's
// backward of ∂E/∂y; for the two canonical cross-entropy pairs it collapses to y − t exactly.

import RealModule

/// The error of one sample, summed over its K outputs.
public enum LossFunction: String, CaseIterable, Sendable {
    /// E = ½ Σ_k (t_k − y_k)², the textbook's.
    case halfSSE = "half_sse"
    /// E = (1/K) Σ_k (t_k − y_k)².
    case mse
    /// E = −Σ_k t_k ln y_k after softmax; −Σ_k [t_k ln y_k + (1 − t_k) ln(1 − y_k)] after sigmoid.
    case crossEntropy = "cross_entropy"

}

/// How per-sample losses and gradients combine over a batch of N samples.
public enum Reduction: String, CaseIterable, Sendable {
    case mean
    case sum


    /// The factor each per-sample quantity is multiplied by: 1/N or 1.
    public func scale(samples n: Int) -> Double {
        switch self {
        case .mean: 1 / Double(n)
        case .sum: 1
        }
    }
}

extension LossFunction {
    /// E of sample n (row n of a(L), y and t); callers reduce these with `Reduction.combine`.
    ///
    ///     half_sse       E = ½ Σ_k (t_k − y_k)²
    ///     mse            E = (1/K) Σ_k (t_k − y_k)²
    ///
    /// Cross-entropy is computed from the weighted sums a(L), not from y, so that a saturated
    /// output (y rounding to exactly 0 or 1) still gives the finite loss it mathematically has:
    ///
    ///     softmax:  E = −Σ_k t_k (a_k − m − ln Σ_j e^(a_j − m)),   m = max_j a_j
    ///     sigmoid:  E = Σ_k [t_k · softplus(−a_k) + (1 − t_k) · softplus(a_k)],
    ///               softplus(x) = ln(1 + e^x) = max(x, 0) + ln(1 + e^(−|x|))
    @inline(__always)
    func sampleLoss(_ n: Int, weightedSums a: Matrix, outputs y: Matrix, targets t: Matrix, activation: Activation) -> Double {
        let k = t.cols
        let row = n * k ..< (n + 1) * k
        var e = 0.0
        switch self {
        case .halfSSE:
            for c in row { let d = t.storage[c] - y.storage[c]; e += d * d }
            e = e * 0.5
        case .mse:
            for c in row { let d = t.storage[c] - y.storage[c]; e += d * d }
            e = e / Double(k)
        case .crossEntropy:
            switch activation {
            case .softmax:
                let m = a.storage[row].max() ?? 0
                var s = 0.0
                for c in row { s += Double.exp(a.storage[c] - m) }
                let logSum = m + Double.log(s)
                for c in row where t.storage[c] != 0 { e -= t.storage[c] * (a.storage[c] - logSum) }
            case .sigmoid:
                for c in row {
                    let x = a.storage[c], tc = t.storage[c]
                    if tc != 0 { e += tc * softplus(-x) }
                    if tc != 1 { e += (1 - tc) * softplus(x) }
                }
            case .tanh, .relu, .leakyRelu, .linear:
                preconditionFailure("cross_entropy needs a softmax or sigmoid output (Problem checks this)")
            }
        }
        return e
    }

    /// ∂E/∂y for each sample (one row per sample), for the losses whose output delta is the
    /// activation's backward of it:
    ///
    ///     half_sse  y − t
    ///     mse       2(y − t)/K
    ///
    /// Cross-entropy has none here: it is only used where δ = y − t directly (`outputDelta`).
    public func outputGradient(outputs y: Matrix, targets t: Matrix) -> Matrix {
        let factor: Double
        switch self {
        case .halfSSE: factor = 1
        case .mse: factor = 2 / Double(y.cols)
        case .crossEntropy: preconditionFailure("cross_entropy's output delta is y − t (outputDelta), not f' ⊙ ∂E/∂y")
        }
        var g = y
        for e in g.storage.indices { g.storage[e] = factor * (y.storage[e] - t.storage[e]) }
        return g
    }

    /// The output delta δ(L) = ∂E/∂a(L) of each sample, unscaled by the reduction.
    ///
    ///     canonical pairs (cross_entropy after softmax or sigmoid):  δ = y − t
    ///     otherwise:  δ = f'(a) ⊙ ∂E/∂y  (softmax: the Jacobian-vector product)
    ///
    /// The shortcut holds for softmax because Σ_k t_k = 1 (checked by Problem).
    public func outputDelta(weightedSums a: Matrix, outputs y: Matrix, targets t: Matrix, activation: Activation) -> Matrix {
        if fusesWithOutput(activation) {
            var delta = y
            for e in delta.storage.indices { delta.storage[e] = y.storage[e] - t.storage[e] }
            return delta
        }
        return activation.backward(weightedSums: a, outputs: y, gradient: outputGradient(outputs: y, targets: t))
    }

    /// True when the chain rule's ∂E/∂y and ∂y/∂a fuse into δ = y − t (nothing to separate):
    /// the only pairs Problem accepts for cross_entropy.
    public func fusesWithOutput(_ activation: Activation) -> Bool {
        switch (self, activation) {
        case (.crossEntropy, .softmax), (.crossEntropy, .sigmoid): true
        case (.crossEntropy, _), (.halfSSE, _), (.mse, _): false
        }
    }
}

/// ln(1 + eˣ) without overflow for large x or loss of precision for very negative x.
@inline(__always)
func softplus(_ x: Double) -> Double {
    max(x, 0) + Double.log(onePlus: Double.exp(-abs(x)))
}

extension Reduction {
    /// Combines per-sample losses, computed one at a time without an array of them: their mean or
    /// their sum, Σ_n E_n summed in sample order from 0, then divided by N for the mean.
    @inline(__always)
    func combine(samples n: Int, _ loss: (Int) -> Double) -> Double {
        var total = 0.0
        for i in 0..<n { total += loss(i) }
        switch self {
        case .mean: return total / Double(n)
        case .sum: return total
        }
    }
}
