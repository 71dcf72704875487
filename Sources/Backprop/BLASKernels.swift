// The BLAS backend of Matrix.swift's three products: OpenBLAS's cblas_dgemm on the row-major
// storage as it is, plus the once-at-startup setting of BLAS threads.
// Matrix.swift decides when a product is big enough to come here. Not a general BLAS binding:
// only dgemm, and no C type appears in the public API (`internal import`).

internal import CBLAS

/// How the core's matrix products use OpenBLAS.
public enum BLAS {
    /// Sets up OpenBLAS for the core's products: call it once at startup, before any request is
    /// served (`openblas_set_num_threads` must not race with other threads' calls).
    ///
    /// - threads: OpenBLAS threads inside one product. 1 unless a single request at a time should
    ///   use several cores: the service runs requests concurrently, one per thread, so BLAS threads
    ///   inside each request would only oversubscribe the cores (2 here) and add a hand-off to every
    ///   product. 1 is also what the core uses on its first product when this is never called.
    ///   Overrides OPENBLAS_NUM_THREADS; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left alone.
    public static func configure(threads: Int = 1) {
        precondition(threads >= 1, "at least one thread")
        _ = defaultThreads  // so that the lazy default can never run after, and undo, this setting
        openblas_set_num_threads(Int32(clamping: threads))
    }

    /// OpenBLAS's build and the kernel it chose for this CPU, e.g. "OpenBLAS 0.3.21 … Zen / Zen".
    public static var backendDescription: String {
        String(cString: openblas_get_config()) + " / core " + String(cString: openblas_get_corename())
    }

    /// The smallest m·n·k (C = A·B with C m×n, k the summed dimension) that goes to dgemm.
    ///
    /// Below it the plain loops in Matrix.swift run instead, for two reasons:
    /// - exactness: dgemm's kernels use FMA and a blocked summation order, so their sums can differ
    ///   from the plain formulas in the last bits; the textbook 2-2-2 network (m·n·k ≤ 4) and every
    ///   small hand-checkable case (say a batch of 15 through a 16-16 layer) keep the formulas' results;
    /// - overhead: a dgemm call costs about 0.2–0.3 µs before any arithmetic (argument checks, a
    ///   buffer from OpenBLAS's pool, packing A and B), which the loops beat on tiny products.
    ///
    /// Measured with `CoreBenchmark --threshold` (2 vCPU Zen 3, OpenBLAS 0.3.21 Zen kernels, one
    /// thread, best of many calls), loops vs dgemm per product:
    ///
    ///     m×n×k      work     loops µs    dgemm µs    dgemm faster by
    ///     4×4×4        64     0.16–0.25   0.20–0.31   0.5–0.85× (loops win)
    ///     8×8×8       512     0.50–0.55   0.24–0.37   1.3–2.2×
    ///     16×16×16   4096     3.1–6.2     0.57–0.76   4–10×
    ///     32×32×32  32768     27–48       2.5–3.1     10–19×
    ///     1×128×784  100k     137–144     44–46       3× (a single sample through a 784-128 layer)
    ///
    /// So dgemm pays from a few hundred multiply-adds on. The threshold sits at 4096 rather than
    /// at that break-even to keep small requests exact, and rather than higher because the loops'
    /// cost grows fast: at 4096 the most a product gives up is about 5 µs, at 32768 it would be
    /// about 45 µs, more than a whole small request's round trip through the service.
    package static let minimumWork = 4_096

    /// True when a product C (m×n) = Σ over k should go to dgemm.
    @inline(__always)
    package static func profits(m: Int, n: Int, k: Int) -> Bool {
        // m·n·k can overflow only far beyond any limit the service accepts; then BLAS it is.
        let (mn, o1) = m.multipliedReportingOverflow(by: n)
        let (mnk, o2) = mn.multipliedReportingOverflow(by: k)
        return m > 0 && n > 0 && k > 0 && (o1 || o2 || mnk >= minimumWork)
    }
}

/// The OpenBLAS default of one thread per product, set on first use unless `BLAS.configure` ran
/// first (a global's initializer runs exactly once, thread-safely).
private let defaultThreads: Void = openblas_set_num_threads(1)

/// A rows×cols matrix whose every element `body` writes (dgemm with beta = 0 needs no initial C,
/// or the bias rows it is pre-filled with): no zero-fill pass before dgemm overwrites it, which
/// on the megabytes of a large layer would cost as much as a small product.
private func uninitialized(_ rows: Int, _ cols: Int, _ body: (UnsafeMutablePointer<Double>) -> Void) -> Matrix {
    let storage = [Double](unsafeUninitializedCapacity: rows * cols) { buffer, initialized in
        if rows * cols > 0 { body(buffer.baseAddress!) }
        initialized = rows * cols
    }
    return Matrix(rows: rows, cols: cols, storage: storage)
}

extension Matrix {
    /// dgemm for `A · Bᵀ (+ bias)`; see `multiply(_:transposed:addingRow:)`.
    ///
    ///     A: N×I, B: J×I, C: N×J      C = 1 · A · Bᵀ + beta · C,  C pre-filled with the bias rows
    ///
    /// The bias goes in as C's starting value with beta = 1 rather than being added afterwards:
    /// OpenBLAS applies beta = 0 as a separate pass that zeroes C, so writing the bias rows instead
    /// costs nothing, where adding afterwards is one more pass. Measured from C (one thread):
    /// 64×10×128 pre-filled 7.7 µs, beta = 0 then add 8.0 µs, no bias at all 7.7 µs; at 128×512×784
    /// all three are within the noise (3.0–3.9 ms).
    package static func blasMultiply(_ a: Matrix, transposed b: Matrix, addingRow bias: [Double]?) -> Matrix {
        let n = a.rows, j = b.rows, i = a.cols
        return uninitialized(n, j) { c in
            var beta = 0.0
            if let bias {
                bias.withUnsafeBufferPointer { row in
                    for r in 0..<n { (c + r * j).update(from: row.baseAddress!, count: j) }
                }
                beta = 1
            }
            gemm(a, b, transposeB: true, alpha: 1, beta: beta, into: c, m: n, n: j, k: i)
        }
    }

    /// dgemm for `scale · Aᵀ · B`; see `multiply(transposed:_:scale:)`.
    ///
    ///     A: N×J, B: N×I, C: J×I      C = scale · Aᵀ · B   (the scale is dgemm's alpha)
    package static func blasMultiply(transposed a: Matrix, _ b: Matrix, scale: Double) -> Matrix {
        let n = a.rows, j = a.cols, i = b.cols
        return uninitialized(j, i) { c in
            gemm(a, transposeA: true, b, alpha: scale, beta: 0, into: c, m: j, n: i, k: n)
        }
    }

    /// dgemm for `A · B`; see `multiply(_:_:)`.
    ///
    ///     A: N×J, B: J×I, C: N×I      C = A · B
    package static func blasMultiply(_ a: Matrix, _ b: Matrix) -> Matrix {
        let n = a.rows, j = a.cols, i = b.cols
        return uninitialized(n, i) { c in
            gemm(a, b, alpha: 1, beta: 0, into: c, m: n, n: i, k: j)
        }
    }

    /// The one cblas_dgemm call: C (m×n, row-major) = alpha · op(A) · op(B) + beta · C, where
    /// op transposes when asked. A and B are row-major, so their leading dimensions are their
    /// column counts, and C's is n.
    private static func gemm(_ a: Matrix, transposeA: Bool = false, _ b: Matrix, transposeB: Bool = false,
                             alpha: Double, beta: Double, into c: UnsafeMutablePointer<Double>, m: Int, n: Int, k: Int) {
        _ = defaultThreads
        a.storage.withUnsafeBufferPointer { A in
            b.storage.withUnsafeBufferPointer { B in
                cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                            Int32(m), Int32(n), Int32(k), alpha, A.baseAddress, Int32(a.cols), B.baseAddress, Int32(b.cols),
                            beta, c, Int32(n))
            }
        }
    }
}
