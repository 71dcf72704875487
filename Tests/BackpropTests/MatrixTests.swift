// The three matrix products backpropagation needs (A·Bᵀ + bias, s·Aᵀ·B, A·B), columnSums and the
// descent update, each on a small non-square example computed by hand in the comments.
// Small integers keep every product exact, so == is a fair comparison here.

import Testing
@testable import Backprop

@Suite("Matrix")
struct MatrixTests {
    @Test func layoutIsRowMajor() {
        let m = Matrix(rectangular: [[1, 2, 3], [4, 5, 6]])
        #expect(m.rows == 2 && m.cols == 3)
        #expect(m.storage == [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4 && m[0, 2] == 3)
        #expect(Array(m.row(1)) == [4, 5, 6])
        #expect(m.rowArrays == [[1, 2, 3], [4, 5, 6]])
        #expect(Matrix(zeros: 2, 3).storage == [0, 0, 0, 0, 0, 0])
        var n = m
        n[0, 1] = 9
        #expect(n.storage == [1, 9, 3, 4, 5, 6])
        #expect(m.isFinite && !Matrix(rectangular: [[1, .nan]]).isFinite && !Matrix(rectangular: [[-.infinity]]).isFinite)
    }

    /// Forward: C = A·Bᵀ (+ bias on every row), A: N×I = 2×3, B: J×I = 2×3 (weights), C: N×J.
    ///
    ///     A = [1 2 3; 4 5 6],  B = [1 0 −1; 2 1 0]
    ///     C[0][0] = 1·1 + 2·0 + 3·(−1) = −2     C[0][1] = 1·2 + 2·1 + 3·0 = 4
    ///     C[1][0] = 4·1 + 5·0 + 6·(−1) = −2     C[1][1] = 4·2 + 5·1 + 6·0 = 13
    @Test func forwardProduct() {
        let a = Matrix(rectangular: [[1, 2, 3], [4, 5, 6]])
        let b = Matrix(rectangular: [[1, 0, -1], [2, 1, 0]])
        let c = Matrix.multiply(a, transposed: b)
        #expect(c.rows == 2 && c.cols == 2)
        #expect(c.storage == [-2, 4, -2, 13])
        let biased = Matrix.multiply(a, transposed: b, addingRow: [10, 20])
        #expect(biased.storage == [8, 24, 8, 33])
        // Non-square: a 3-unit layer on 1 sample: [1 2] · [1 1; 0 1; 2 −1]ᵀ = [3, 2, 0].
        let one = Matrix.multiply(Matrix(rectangular: [[1, 2]]), transposed: Matrix(rectangular: [[1, 1], [0, 1], [2, -1]]))
        #expect(one.rows == 1 && one.cols == 3 && one.storage == [3, 2, 0])
    }

    /// Weight gradient: C = s·Aᵀ·B, A: N×J = 2×2 (deltas), B: N×I = 2×3 (inputs), C: J×I.
    ///
    ///     A = [1 2; 3 4],  B = [1 0 2; 0 1 1]
    ///     C[0] = 1·[1 0 2] + 3·[0 1 1] = [1 3 5]
    ///     C[1] = 2·[1 0 2] + 4·[0 1 1] = [2 4 8]
    @Test func weightGradientProduct() {
        let a = Matrix(rectangular: [[1, 2], [3, 4]])
        let b = Matrix(rectangular: [[1, 0, 2], [0, 1, 1]])
        let c = Matrix.multiply(transposed: a, b, scale: 1)
        #expect(c.rows == 2 && c.cols == 3)
        #expect(c.storage == [1, 3, 5, 2, 4, 8])
        #expect(Matrix.multiply(transposed: a, b, scale: 0.5).storage == [0.5, 1.5, 2.5, 1, 2, 4])
        // One sample, J = 3, I = 1: the outer product δ zᵀ = [1 2 3]ᵀ · [2].
        let outer = Matrix.multiply(transposed: Matrix(rectangular: [[1, 2, 3]]), Matrix(rectangular: [[2]]), scale: 1)
        #expect(outer.rows == 3 && outer.cols == 1 && outer.storage == [2, 4, 6])
    }

    /// Error sent back: C = A·B, A: N×J = 2×2 (deltas), B: J×I = 2×3 (weights), C: N×I.
    ///
    ///     A = [1 2; 3 4],  B = [1 0 2; 0 1 1]
    ///     C[0] = 1·[1 0 2] + 2·[0 1 1] = [1 2 4]
    ///     C[1] = 3·[1 0 2] + 4·[0 1 1] = [3 4 10]
    @Test func backwardProduct() {
        let a = Matrix(rectangular: [[1, 2], [3, 4]])
        let b = Matrix(rectangular: [[1, 0, 2], [0, 1, 1]])
        let c = Matrix.multiply(a, b)
        #expect(c.rows == 2 && c.cols == 3)
        #expect(c.storage == [1, 2, 4, 3, 4, 10])
        // 1×3 deltas through a 3×1 weight matrix: [1 2 3]·[1; −1; 2] = [5].
        #expect(Matrix.multiply(Matrix(rectangular: [[1, 2, 3]]), Matrix(rectangular: [[1], [-1], [2]])).storage == [5])
    }

    /// Products large enough for the BLAS path (m·n·k ≥ 4096) against the textbook triple loop written
    /// here. Small integer entries keep every product and partial sum exact, so any summation order
    /// or FMA gives the same doubles and == is fair.
    @Test func largeProductsMatchTheDefinition() {
        var rng = SplitMix64(seed: 0xB1A5)
        func ints(_ r: Int, _ c: Int) -> Matrix { Matrix(rectangular: (0..<r).map { _ in (0..<c).map { _ in Double(rng.int(-5...5)) } }) }
        let n = 20, j = 30, i = 40
        let x = ints(n, i), w = ints(j, i), d = ints(n, j)
        let bias = (0..<j).map { _ in Double(rng.int(-5...5)) }
        var forward = Matrix(zeros: n, j), dW = Matrix(zeros: j, i), dX = Matrix(zeros: n, i)
        for r in 0..<n { for u in 0..<j { var s = 0.0; for k in 0..<i { s += x[r, k] * w[u, k] }; forward[r, u] = s + bias[u] } }
        for u in 0..<j { for k in 0..<i { var s = 0.0; for r in 0..<n { s += d[r, u] * x[r, k] }; dW[u, k] = 0.5 * s } }
        for r in 0..<n { for k in 0..<i { var s = 0.0; for u in 0..<j { s += d[r, u] * w[u, k] }; dX[r, k] = s } }
        #expect(Matrix.multiply(x, transposed: w, addingRow: bias) == forward)
        #expect(Matrix.multiply(transposed: d, x, scale: 0.5) == dW)
        #expect(Matrix.multiply(d, w) == dX)
    }

    /// columnSums: [1 2; 3 4; 5 6] → [9, 12]; with scale 1/3 (a mean over 3 samples) → [3, 4].
    @Test func columnSums() {
        let m = Matrix(rectangular: [[1, 2], [3, 4], [5, 6]])
        #expect(m.columnSums(scale: 1) == [9, 12])
        #expect(m.columnSums(scale: 0.5) == [4.5, 6])
        #expect(allClose(m.columnSums(scale: 1.0 / 3), [3, 4], rel: 1e-15))
    }
}
