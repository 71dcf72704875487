// A dense row-major matrix of float64 and the three products backpropagation needs.
// This file is the core's only seam onto matrix arithmetic: the rest of the core calls these
// functions and never loops over a product itself, so a BLAS backend can replace the loops here
// without anything else noticing. Not a general linear-algebra library.

/// A dense `rows × cols` matrix of `Double`, stored row by row.
///
/// A layer's weights are one row per unit: `self[j, i] = w_ji`. A batch of vectors is one row per
/// sample: `self[n, j]` is unit j of sample n.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    /// `storage[r * cols + c]` is the element at row r, column c.
    public var storage: [Double]

    public init(rows: Int, cols: Int, storage: [Double]) {
        precondition(rows >= 0 && cols >= 0 && storage.count == rows * cols, "storage does not fit \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    public init(zeros rows: Int, _ cols: Int) {
        self.init(rows: rows, cols: cols, storage: Array(repeating: 0, count: rows * cols))
    }

    /// Builds a matrix from rows that the caller has already checked to be rectangular.
    public init(rectangular rowArrays: [[Double]]) {
        let cols = rowArrays.first?.count ?? 0
        var storage: [Double] = []
        storage.reserveCapacity(rowArrays.count * cols)
        for row in rowArrays {
            precondition(row.count == cols, "ragged rows")
            storage.append(contentsOf: row)
        }
        self.init(rows: rowArrays.count, cols: cols, storage: storage)
    }

    public subscript(r: Int, c: Int) -> Double {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// Row r as a new array (for the edges of the service; hot loops use `storage`).
    public func row(_ r: Int) -> ArraySlice<Double> {
        storage[r * cols ..< (r + 1) * cols]
    }

    /// The rows as nested arrays, the shape JSON gives and takes.
    public var rowArrays: [[Double]] {
        (0..<rows).map { Array(row($0)) }
    }

    /// True when no element is NaN or ±Infinity.
    public var isFinite: Bool {
        storage.allSatisfy { $0.isFinite }
    }
}

// MARK: - The products

extension Matrix {
    /// The forward product of a dense layer over a batch.
    ///
    ///     C = A · Bᵀ (+ bias on every row)      A: N×I, B: J×I, C: N×J
    ///     C[n][j] = Σ_i A[n][i] · B[j][i] + bias[j]
    public static func multiply(_ a: Matrix, transposed b: Matrix, addingRow bias: [Double]? = nil) -> Matrix {
        precondition(a.cols == b.cols, "A·Bᵀ needs equal column counts")
        precondition(bias == nil || bias!.count == b.rows, "bias length must equal B's rows")
        var c = Matrix(zeros: a.rows, b.rows)
        let n = a.rows, j = b.rows, i = a.cols
        a.storage.withUnsafeBufferPointer { A in
            b.storage.withUnsafeBufferPointer { B in
                c.storage.withUnsafeMutableBufferPointer { C in
                    for r in 0..<n {
                        for u in 0..<j {
                            var sum = 0.0
                            for k in 0..<i { sum += A[r * i + k] * B[u * i + k] }
                            if let bias { sum += bias[u] }
                            C[r * j + u] = sum
                        }
                    }
                }
            }
        }
        return c
    }

    /// The weight gradient of a dense layer over a batch.
    ///
    ///     C = scale · Aᵀ · B                   A: N×J (deltas), B: N×I (inputs), C: J×I
    ///     C[j][i] = scale · Σ_n A[n][j] · B[n][i]
    public static func multiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
        precondition(a.rows == b.rows, "Aᵀ·B needs equal row counts")
        var c = Matrix(zeros: a.cols, b.cols)
        let n = a.rows, j = a.cols, i = b.cols
        a.storage.withUnsafeBufferPointer { A in
            b.storage.withUnsafeBufferPointer { B in
                c.storage.withUnsafeMutableBufferPointer { C in
                    for r in 0..<n {
                        for u in 0..<j {
                            let d = A[r * j + u]
                            for k in 0..<i { C[u * i + k] += d * B[r * i + k] }
                        }
                    }
                    if scale != 1 {
                        for e in 0..<(j * i) { C[e] *= scale }
                    }
                }
            }
        }
        return c
    }

    /// The error sent back through a dense layer over a batch.
    ///
    ///     C = A · B                            A: N×J (deltas), B: J×I (weights), C: N×I
    ///     C[n][i] = Σ_j A[n][j] · B[j][i]
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.cols == b.rows, "A·B needs A's columns to equal B's rows")
        var c = Matrix(zeros: a.rows, b.cols)
        let n = a.rows, j = a.cols, i = b.cols
        a.storage.withUnsafeBufferPointer { A in
            b.storage.withUnsafeBufferPointer { B in
                c.storage.withUnsafeMutableBufferPointer { C in
                    for r in 0..<n {
                        for u in 0..<j {
                            let d = A[r * j + u]
                            for k in 0..<i { C[r * i + k] += d * B[u * i + k] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// Column sums times a scale: the bias gradient `scale · Σ_n A[n][j]`.
    public func columnSums(scale: Double) -> [Double] {
        var sums = Array(repeating: 0.0, count: cols)
        for r in 0..<rows {
            for c in 0..<cols { sums[c] += storage[r * cols + c] }
        }
        if scale != 1 { for c in 0..<cols { sums[c] *= scale } }
        return sums
    }

    /// `self − rate · gradient`, elementwise: the gradient-descent update.
    public func descending(_ gradient: Matrix, rate: Double) -> Matrix {
        precondition(rows == gradient.rows && cols == gradient.cols)
        var out = self
        for e in 0..<storage.count { out.storage[e] -= rate * gradient.storage[e] }
        return out
    }
}
