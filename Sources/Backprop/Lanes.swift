// The optimizers' elementwise loops run one Double at a time or two at once (SSE2), from one
// source. Why not plain loops that LLVM vectorizes, as in Matrix.swift: on Linux,
// Double.squareRoot() calls libm's sqrt, which may set errno, and a loop that contains such a call
// is never vectorized. Adam over the 101 770 parameters of a 784-128-10 network took 514 µs per
// step as a plain loop and 265 µs in these lanes (sqrtpd), best of 300 runs on the 2-core EPYC.
// Not a SIMD library: only what the update rules use, and every operation is the same IEEE
// operation in both widths, so no result depends on which width computed it.

#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
internal import _Builtin_intrinsics.intel
#endif

/// One or more Doubles computed together, each lane exactly as the scalar code would compute it.
protocol Lanes {
    /// How many Doubles one value holds.
    static var width: Int { get }
    init(broadcast x: Double)
    /// Elements e ..< e + width of p.
    init(_ p: UnsafeMutablePointer<Double>, _ e: Int)
    init(_ p: UnsafePointer<Double>, _ e: Int)
    /// Writes the lanes to elements e ..< e + width of p.
    func store(_ p: UnsafeMutablePointer<Double>, _ e: Int)
    /// The correctly rounded square root of every lane (IEEE 754 squareRoot).
    func root() -> Self
    /// The bitwise OR of a's and b's bit patterns, lane by lane (see `FiniteCheck`).
    static func orBits(_ a: Self, _ b: Self) -> Self
    /// The OR of the lanes' bit patterns.
    var laneBits: UInt64 { get }
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
}

extension Double: Lanes {
    static var width: Int { 1 }
    @inline(__always) init(broadcast x: Double) { self = x }
    @inline(__always) init(_ p: UnsafeMutablePointer<Double>, _ e: Int) { self = p[e] }
    @inline(__always) init(_ p: UnsafePointer<Double>, _ e: Int) { self = p[e] }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ e: Int) { p[e] = self }
    @inline(__always) func root() -> Double { squareRoot() }
    @inline(__always) static func orBits(_ a: Double, _ b: Double) -> Double { Double(bitPattern: a.bitPattern | b.bitPattern) }
    @inline(__always) var laneBits: UInt64 { bitPattern }
}

#if arch(x86_64) && canImport(_Builtin_intrinsics.intel)
/// Two Doubles in one SSE2 register; clang imports `__m128d` as `SIMD2<Double>`.
typealias WideLanes = SIMD2<Double>

extension SIMD2: Lanes where Scalar == Double {
    static var width: Int { 2 }
    @inline(__always) init(broadcast x: Double) { self.init(repeating: x) }
    @inline(__always) init(_ p: UnsafeMutablePointer<Double>, _ e: Int) { self = _mm_loadu_pd(p + e) }
    @inline(__always) init(_ p: UnsafePointer<Double>, _ e: Int) { self = _mm_loadu_pd(p + e) }
    @inline(__always) func store(_ p: UnsafeMutablePointer<Double>, _ e: Int) { _mm_storeu_pd(p + e, self) }
    /// sqrtpd: the intrinsic the scalar squareRoot() cannot become in a loop.
    @inline(__always) func root() -> SIMD2<Double> { _mm_sqrt_pd(self) }
    /// orpd: the OR stays in the register the Doubles are in (a SIMD2<UInt64> view of them made
    /// LLVM shuffle lanes on every element: SGD with momentum took 105 µs instead of 42).
    @inline(__always) static func orBits(_ a: SIMD2<Double>, _ b: SIMD2<Double>) -> SIMD2<Double> { _mm_or_pd(a, b) }
    @inline(__always) var laneBits: UInt64 { self[0].bitPattern | self[1].bitPattern }
}
#else
/// Elsewhere the loops run one Double at a time.
typealias WideLanes = Double
#endif

/// Whether every element a loop wrote is finite: the OR of the bit patterns of x − x.
///
///     x − x = +0 (all bits clear) for finite x,  NaN (some bits set) for ±Infinity and NaN
///
/// So the OR stays 0 exactly while everything is finite (as `[Double].isFinite` in Matrix.swift):
/// a subtraction and an OR per element and array, in the loop that writes the element, instead of
/// a second pass over megabytes of state. An OR, not a running sum of x − x: a floating-point
/// sum is one chain of 3-cycle additions through the loop (it made SGD with momentum 2.5 times
/// slower), an OR a 1-cycle one. The bits are kept in a value of the lane type itself.
struct FiniteCheck<L: Lanes> {
    var bits = L(broadcast: 0)

    @inline(__always) mutating func add(_ x: L) { bits = L.orBits(bits, x - x) }

    /// The lanes' bits together: 0 when every element was finite.
    var total: UInt64 { bits.laneBits }
}

/// An elementwise loop over flat arrays, written once for any lane width.
protocol LaneKernel {
    /// Runs elements `range`, `L.width` at a time (the range's length is a multiple of the width).
    /// Returns, per array the loop writes, the total of its `FiniteCheck` (0 when all finite).
    func run<L: Lanes>(_ lanes: L.Type, _ range: Range<Int>) -> SIMD4<UInt64>
}

extension LaneKernel {
    /// Runs elements 0 ..< n: the wide lanes first, then the remainder one by one.
    @inline(__always)
    func run(count n: Int) -> SIMD4<UInt64> {
        let wide = n - n % WideLanes.width
        return run(WideLanes.self, 0..<wide) | run(Double.self, wide..<n)
    }
}
