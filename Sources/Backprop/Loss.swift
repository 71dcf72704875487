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

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// How per-sample losses and gradients combine over a batch of N samples.
public enum Reduction: String, CaseIterable, Sendable {
    case mean
    case sum

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The factor each per-sample quantity is multiplied by: 1/N or 1.
    public func scale(samples n: Int) -> Double {
        self == .mean ? 1 / Double(n) : 1
    }
}

extension LossFunction {
    /// True when E is computed from the weighted sums a(L) rather than from the outputs y
    /// (cross-entropy, see `sampleLoss`): a pass that only wants E need not make y then.
    var readsWeightedSums: Bool { self == .crossEntropy }

    /// E of sample n: row n of t and of v, which is a(L) when `readsWeightedSums` and y otherwise
    /// (callers sum these with `Reduction.combine`).
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
    func sampleLoss(_ n: Int, of v: Matrix, targets t: Matrix, activation: Activation) -> Double {
        let k = v.cols
        let row = n * k ..< (n + 1) * k
        var e = 0.0
        switch self {
        case .halfSSE, .mse:
            let y = v
            for c in row { let d = t.storage[c] - y.storage[c]; e += d * d }
            e = self == .mse ? e / Double(k) : e * 0.5
        case .crossEntropy where activation == .softmax:
            let a = v
            let m = a.storage[row].max() ?? 0
            var s = 0.0
            for c in row { s += Double.exp(a.storage[c] - m) }
            let logSum = m + Double.log(s)
            for c in row where t.storage[c] != 0 { e -= t.storage[c] * (a.storage[c] - logSum) }
        case .crossEntropy:
            precondition(activation == .sigmoid, "cross_entropy needs a softmax or sigmoid output (validation checks this)")
            for c in row {
                let x = v.storage[c], tc = t.storage[c]
                if tc != 0 { e += tc * softplus(-x) }
                if tc != 1 { e += (1 - tc) * softplus(x) }
            }
        }
        return e
    }

    /// ∂E/∂y for each sample (one row per sample):
    ///
    ///     half_sse  y − t
    ///     mse       2(y − t)/K
    public func outputGradient(outputs y: Matrix, targets t: Matrix) -> Matrix {
        var g = y
        let factor = self == .mse ? 2 / Double(y.cols) : 1
        for e in g.storage.indices { g.storage[e] = factor * (y.storage[e] - t.storage[e]) }
        return g
    }

    /// The output delta δ(L) = ∂E/∂a(L) of each sample, unscaled by the reduction.
    ///
    ///     canonical pairs (cross_entropy after softmax or sigmoid):  δ = y − t
    ///     otherwise:  δ = f'(a) ⊙ ∂E/∂y  (softmax: the Jacobian-vector product)
    ///
    /// The shortcut holds for softmax because Σ_k t_k = 1 (checked by validation).
    public func outputDelta(weightedSums a: Matrix, outputs y: Matrix, targets t: Matrix, activation: Activation) -> Matrix {
        if fusesWithOutput(activation) {
            var delta = y
            for e in delta.storage.indices { delta.storage[e] = y.storage[e] - t.storage[e] }
            return delta
        }
        precondition(self != .crossEntropy, "cross_entropy needs a softmax or sigmoid output (validation checks this)")
        return activation.backward(weightedSums: a, outputs: y, gradient: outputGradient(outputs: y, targets: t))
    }

    /// True when the chain rule's ∂E/∂y and ∂y/∂a fuse into δ = y − t (nothing to separate):
    /// the only pairs validation accepts for cross_entropy.
    public func fusesWithOutput(_ activation: Activation) -> Bool {
        self == .crossEntropy && (activation == .softmax || activation == .sigmoid)
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
        return self == .mean ? total / Double(n) : total
    }
}
