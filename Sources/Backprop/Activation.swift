// The activation functions f and their backward passes, each forward beside its backward.
// Works on a batch (one row per sample); softmax is the only one that couples a row's units.
// Not the loss: output deltas that fuse activation and loss live in Loss.swift.

import RealModule

/// An activation function `z = f(a)` applied to a layer's weighted sums.
public enum Activation: String, CaseIterable, Sendable {
    case sigmoid
    case tanh
    case relu
    case leakyRelu = "leaky_relu"
    case linear
    case softmax

    /// The slope of leaky_relu for a ≤ 0.
    public static let leakySlope = 0.01

    /// Forward, row by row:
    ///
    ///     sigmoid     z = 1 / (1 + e^(−a))
    ///     tanh        z = tanh(a)
    ///     relu        z = max(0, a)
    ///     leaky_relu  z = a if a > 0 else 0.01·a
    ///     linear      z = a
    ///     softmax     z_j = e^(a_j − m) / Σ_k e^(a_k − m),  m = max_k a_k
    ///
    /// Subtracting the row maximum before exponentiating keeps softmax finite for any finite a
    /// (the largest term is e⁰ = 1) and changes nothing mathematically.
    public func forward(_ a: Matrix) -> Matrix {
        var z = a
        forward(inPlace: &z)
        return z
    }

    /// The same, overwriting the weighted sums with the outputs: for a pass that keeps only z, the
    /// product's own storage becomes z and no second matrix is made. Each z_e depends on a_e alone
    /// (softmax: on its row's a, read in full before the row is overwritten).
    func forward(inPlace a: inout Matrix) {
        switch self {
        case .sigmoid:
            for e in a.storage.indices { a.storage[e] = 1 / (1 + Double.exp(-a.storage[e])) }
        case .tanh:
            for e in a.storage.indices { a.storage[e] = Double.tanh(a.storage[e]) }
        case .relu:
            for e in a.storage.indices { a.storage[e] = a.storage[e] > 0 ? a.storage[e] : 0 }
        case .leakyRelu:
            for e in a.storage.indices { a.storage[e] = a.storage[e] > 0 ? a.storage[e] : Self.leakySlope * a.storage[e] }
        case .linear:
            break
        case .softmax:
            for n in 0..<a.rows {
                let row = n * a.cols ..< (n + 1) * a.cols
                let m = a.storage[row].max() ?? 0
                var sum = 0.0
                for e in row {
                    a.storage[e] = Double.exp(a.storage[e] - m)
                    sum += a.storage[e]
                }
                for e in row { a.storage[e] /= sum }
            }
        }
    }

    /// Backward: turns ∂E/∂z into δ = ∂E/∂a, row by row.
    ///
    ///     elementwise f:  δ = f'(a) ⊙ g,   g = ∂E/∂z
    ///                     sigmoid z(1 − z), tanh 1 − z², relu [a > 0], leaky_relu [a > 0] or 0.01, linear 1
    ///     softmax:        δ = Jᵀ g with J = diag(z) − z zᵀ, so δ_j = z_j (g_j − Σ_k g_k z_k)
    ///
    /// relu's derivative at exactly a = 0 is taken as 0 (the subgradient most libraries use).
    ///
    /// δ is written over g, each δ_e computed from g_e alone (softmax: after its row's Σ_k g_k z_k):
    /// a caller that hands over the only reference to g (a fresh ∂E/∂z) gets δ in g's storage
    /// instead of a new matrix.
    public func backward(weightedSums a: Matrix, outputs z: Matrix, gradient g: consuming Matrix) -> Matrix {
        switch self {
        case .sigmoid:
            for e in g.storage.indices { let y = z.storage[e]; g.storage[e] = g.storage[e] * (y * (1 - y)) }
        case .tanh:
            for e in g.storage.indices { let y = z.storage[e]; g.storage[e] = g.storage[e] * (1 - y * y) }
        case .relu:
            for e in g.storage.indices { g.storage[e] = a.storage[e] > 0 ? g.storage[e] : 0 }
        case .leakyRelu:
            for e in g.storage.indices { g.storage[e] = a.storage[e] > 0 ? g.storage[e] : Self.leakySlope * g.storage[e] }
        case .linear:
            break
        case .softmax:
            for n in 0..<z.rows {
                let row = n * z.cols ..< (n + 1) * z.cols
                var gz = 0.0
                for e in row { gz += g.storage[e] * z.storage[e] }
                for e in row { g.storage[e] = z.storage[e] * (g.storage[e] - gz) }
            }
        }
        return g
    }
}
