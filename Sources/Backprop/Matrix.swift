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

    /// The plain loop for `A · Bᵀ (+ bias)`, one sum per element in index order.
    package static func loopMultiply(_ a: Matrix, transposed b: Matrix, addingRow bias: [Double]?) -> Matrix {
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
    ///
    /// dgemm from `BLAS.minimumWork` multiply-adds on (the scale is then its alpha, applied to each
    /// sum as here); the loop below it.
    public static func multiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
        precondition(a.rows == b.rows, "Aᵀ·B needs equal row counts")
        if BLAS.profits(m: a.cols, n: b.cols, k: a.rows) { return blasMultiply(transposed: a, b, scale: scale) }
        return loopMultiply(transposed: a, b, scale: scale)
    }

    /// The plain loop for `scale · Aᵀ · B`: sums accumulated over samples in order, then scaled.
    package static func loopMultiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
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
    ///
    /// dgemm from `BLAS.minimumWork` multiply-adds on; the loop below it.
    public static func multiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.cols == b.rows, "A·B needs A's columns to equal B's rows")
        if BLAS.profits(m: a.rows, n: b.cols, k: a.cols) { return blasMultiply(a, b) }
        return loopMultiply(a, b)
    }

    /// The plain loop for `A · B`: sums accumulated over j in order.
    package static func loopMultiply(_ a: Matrix, _ b: Matrix) -> Matrix {
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
        var sums = [Double].zeros(cols)
        let rows = rows, cols = cols
        storage.withUnsafeBufferPointer { a in
            sums.withUnsafeMutableBufferPointer { sums in
                for r in 0..<rows {
                    for c in 0..<cols { sums[c] += a[r * cols + c] }
                }
                if scale != 1 { for c in 0..<cols { sums[c] *= scale } }
            }
        }
        return sums
    }

    /// `self − rate · gradient`, elementwise: the gradient-descent update.
    ///
    /// One pass into a fresh array (not a copy of self that is then updated in place): the weights
    /// of a large layer are megabytes, and each pass over them costs as much as a small product.
    public func descending(_ gradient: Matrix, rate: Double) -> Matrix {
        precondition(rows == gradient.rows && cols == gradient.cols)
        return Matrix(rows: rows, cols: cols, storage: storage.descending(gradient.storage, rate: rate))
    }

    /// The same update in place, for weights this matrix alone holds (no new array at all).
    mutating func descend(_ gradient: Matrix, rate: Double) {
        precondition(rows == gradient.rows && cols == gradient.cols)
        storage.descend(gradient.storage, rate: rate)
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
    /// Not `Array(repeating:count:)`: it allocates through the standard library's unspecialized
    /// code, which looks the array type's metadata up in the runtime's cache on every call (about
    /// 25 ns per array, measured with perf and valgrind; a 2-2-2 train makes nine such arrays).
    /// Reserving capacity on an empty array allocates through code specialized for Double; the
    /// fill is a vectorized loop, but for the few numbers of a tiny layer: appending a repeated
    /// zero goes through the generic sequence append, about 100 instructions however short, and
    /// up to four zeros appended one by one cost less (a 2-2-2 step makes 13 such arrays and
    /// runs about 970 instructions fewer, callgrind).
    static func zeros(_ n: Int) -> [Double] {
        var zeros: [Double] = []
        zeros.reserveCapacity(n)
        if n <= 4 {
            for _ in 0..<n { zeros.append(0) }
        } else {
            zeros.append(contentsOf: repeatElement(0, count: n))
        }
        return zeros
    }

    /// n elements, every one of which `body` writes (the products' outputs, a descent's result).
    ///
    /// Large arrays are allocated uninitialized, so that no zero pass precedes the one that writes
    /// them: on megabytes it would cost as much as a small product. Small ones are `zeros` then
    /// overwritten: the uninitialized allocation (`init(unsafeUninitializedCapacity:)`) goes
    /// through the standard library's unspecialized code, whose runtime lookup of the storage type
    /// costs about 380 instructions more per array (callgrind), more than zeroing 512 doubles.
    static func uninitialized(_ n: Int, _ body: (UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        guard n > 512 else {
            var small = zeros(n)
            small.withUnsafeMutableBufferPointer { body($0) }
            return small
        }
        return [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
            body(buffer)
            initialized = n
        }
    }

    /// `self − rate · g` into a fresh array, in one pass; see `Matrix.descending`.
    func descending(_ g: [Double], rate: Double) -> [Double] {
        precondition(count == g.count)
        let count = count
        return .uninitialized(count) { out in
            withUnsafeBufferPointer { w in
                g.withUnsafeBufferPointer { g in
                    descent(w.baseAddress, g.baseAddress, rate, into: out.baseAddress, count)
                }
            }
        }
    }

    /// `self ← self − rate · g` in place (a copy first only if the storage is shared).
    mutating func descend(_ g: [Double], rate: Double) {
        precondition(count == g.count)
        let count = count
        withUnsafeMutableBufferPointer { w in
            g.withUnsafeBufferPointer { g in
                descent(w.baseAddress, g.baseAddress, rate, into: w.baseAddress, count)
            }
        }
    }
}

/// `out[e] = w[e] − rate · g[e]` for e < count, the one loop of both updates; out may be w.
@inline(__always)
private func descent(_ w: UnsafePointer<Double>?, _ g: UnsafePointer<Double>?, _ rate: Double,
                     into out: UnsafeMutablePointer<Double>?, _ count: Int) {
    guard count > 0, let w, let g, let out else { return }
    for e in 0..<count { out[e] = w[e] - rate * g[e] }
}
