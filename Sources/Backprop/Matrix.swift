// A dense row-major matrix of float64 and the three products backpropagation needs.
// This file is the core's only seam onto matrix arithmetic: the rest of the core calls these
// functions and never loops over a product itself. Products big enough to profit go to OpenBLAS's
// dgemm (BLASKernels.swift); small ones keep the plain loops below, exact to the formulas.
// Not a general linear-algebra library.

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
        self.init(rows: rows, cols: cols, storage: .zeros(rows * cols))
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

    /// Row r, a view of the storage (for tests and explanations; hot loops use `storage`).
    public func row(_ r: Int) -> ArraySlice<Double> {
        storage[r * cols ..< (r + 1) * cols]
    }

    /// The rows as nested arrays, the shape JSON gives and takes.
    public var rowArrays: [[Double]] {
        (0..<rows).map { Array(row($0)) }
    }

    /// True when no element is NaN or ±Infinity.
    public var isFinite: Bool { storage.isFinite }
}

// MARK: - The products

extension Matrix {
    /// The forward product of a dense layer over a batch.
    ///
    ///     C = A · Bᵀ (+ bias on every row)      A: N×I, B: J×I, C: N×J
    ///     C[n][j] = Σ_i A[n][i] · B[j][i] + bias[j]
    ///
    /// From `BLAS.minimumWork` multiply-adds on this is dgemm, whose FMA and blocked summation
    /// order can differ from the formula in the last bits; below it, the formula's loop exactly.
    public static func multiply(_ a: Matrix, transposed b: Matrix, addingRow bias: [Double]? = nil) -> Matrix {
        precondition(a.cols == b.cols, "A·Bᵀ needs equal column counts")
        precondition(bias == nil || bias!.count == b.rows, "bias length must equal B's rows")
        if BLAS.profits(m: a.rows, n: b.rows, k: a.cols) { return blasMultiply(a, transposed: b, addingRow: bias) }
        return loopMultiply(a, transposed: b, addingRow: bias)
    }

    /// The plain loop for `A · Bᵀ (+ bias)`, one sum per element in index order:
    /// a_nj = Σ_i z_ni · w_ji (+ b_j), with A the inputs z (N×I) and B the weights w (J×I).
    package static func loopMultiply(_ a: Matrix, transposed b: Matrix, addingRow bias: [Double]?) -> Matrix {
        var c = Matrix(zeros: a.rows, b.rows)
        let samples = a.rows, units = b.rows, inputs = a.cols
        a.storage.withUnsafeBufferPointer { z in
            b.storage.withUnsafeBufferPointer { w in
                c.storage.withUnsafeMutableBufferPointer { out in
                    for n in 0..<samples {
                        for j in 0..<units {
                            var sum = 0.0
                            for i in 0..<inputs { sum += z[n * inputs + i] * w[j * inputs + i] }
                            if let bias { sum += bias[j] }
                            out[n * units + j] = sum
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
    ///
    /// dgemm from `BLAS.minimumWork` multiply-adds on (the scale is then its alpha, applied to each
    /// sum as here); the loop below it.
    public static func multiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
        precondition(a.rows == b.rows, "Aᵀ·B needs equal row counts")
        if BLAS.profits(m: a.cols, n: b.cols, k: a.rows) { return blasMultiply(transposed: a, b, scale: scale) }
        return loopMultiply(transposed: a, b, scale: scale)
    }

    /// The plain loop for `scale · Aᵀ · B`: sums accumulated over samples in order, then scaled:
    /// ∂E/∂w_ji = scale · Σ_n δ_nj · z_ni, with A the deltas δ (N×J) and B the inputs z (N×I).
    package static func loopMultiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
        var c = Matrix(zeros: a.cols, b.cols)
        let samples = a.rows, units = a.cols, inputs = b.cols
        a.storage.withUnsafeBufferPointer { delta in
            b.storage.withUnsafeBufferPointer { z in
                c.storage.withUnsafeMutableBufferPointer { dW in
                    for n in 0..<samples {
                        for j in 0..<units {
                            let d = delta[n * units + j]
                            for i in 0..<inputs { dW[j * inputs + i] += d * z[n * inputs + i] }
                        }
                    }
                    if scale != 1 {
                        for e in 0..<(units * inputs) { dW[e] *= scale }
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
    ///
    /// dgemm from `BLAS.minimumWork` multiply-adds on; the loop below it.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.cols == b.rows, "A·B needs A's columns to equal B's rows")
        if BLAS.profits(m: a.rows, n: b.cols, k: a.cols) { return blasMultiply(a, b) }
        return loopMultiply(a, b)
    }

    /// The plain loop for `A · B`: sums accumulated over j in order:
    /// ∂E/∂z_ni = Σ_j δ_nj · w_ji, with A the deltas δ (N×J) and B the weights w (J×I).
    package static func loopMultiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        var c = Matrix(zeros: a.rows, b.cols)
        let samples = a.rows, units = a.cols, inputs = b.cols
        a.storage.withUnsafeBufferPointer { delta in
            b.storage.withUnsafeBufferPointer { w in
                c.storage.withUnsafeMutableBufferPointer { dz in
                    for n in 0..<samples {
                        for j in 0..<units {
                            let d = delta[n * units + j]
                            for i in 0..<inputs { dz[n * inputs + i] += d * w[j * inputs + i] }
                        }
                    }
                }
            }
        }
        return c
    }

    /// Column sums times a scale: the bias gradient ∂E/∂b_j = scale · Σ_n δ_nj.
    public func columnSums(scale: Double) -> [Double] {
        var sums = [Double].zeros(cols)
        let samples = rows, units = cols
        storage.withUnsafeBufferPointer { delta in
            sums.withUnsafeMutableBufferPointer { dB in
                for n in 0..<samples {
                    for j in 0..<units { dB[j] += delta[n * units + j] }
                }
                if scale != 1 { for j in 0..<units { dB[j] *= scale } }
            }
        }
        return sums
    }
}

// MARK: - Arrays of Double

extension [Double] {
    /// True when no element is NaN or ±Infinity.
    ///
    /// Every intermediate of a step is checked, so this is one branch-free pass that vectorizes:
    /// x − x is +0 (all bits clear) for finite x and NaN for ±Infinity or NaN, so OR-ing the bit
    /// patterns of x − x leaves zero exactly when every element is finite.
    var isFinite: Bool {
        withUnsafeBufferPointer { x in
            var bits: UInt64 = 0
            for e in x.indices { bits |= (x[e] - x[e]).bitPattern }
            return bits == 0
        }
    }

    /// n zeros.
    ///
    /// Not `Array(repeating:count:)`, which allocates through the standard library's unspecialized
    /// code and looks the array type's metadata up at run time on every call (about 25 ns per
    /// array, measured with perf; a 2-2-2 step makes a dozen arrays): reserving capacity and
    /// appending is specialized for Double.
    static func zeros(_ n: Int) -> [Double] {
        var zeros: [Double] = []
        zeros.reserveCapacity(n)
        zeros.append(contentsOf: repeatElement(0, count: n))
        return zeros
    }
}
