// PowersOfFive.swift — the 128-bit truncated powers of five 5^q, q ∈ [-342, 308], that Eisel–Lemire
// multiplies by (same layout and values as fast_float's `power_of_five_128`).
// Generated exactly, once, at first use, with TinyBignum.swift (a few hundred ×5 / ÷5 passes: well
// under a millisecond in release). Not a general bignum: only ×5, ÷5, shifts and +1.

enum PowersOfFive {
    static let smallestExponent = -342
    static let largestExponent = 308

    /// `table[2*(q+342)]` is the high 64 bits of 5^q scaled into [2^127, 2^128), `table[2*(q+342)+1]`
    /// the low 64 bits. Immortal: allocated once, never freed (1302 words).
    nonisolated(unsafe) static let table: UnsafePointer<UInt64> = UnsafePointer(generate())

    /// The generator, following Lemire's script for `power_of_five_128`:
    ///
    ///     q ≥ 0:   5^q shifted so its top bit is bit 127 (truncated when it has more than 128 bits)
    ///     q < 0:   c = ⌊2^b / 5^−q⌋ + 1, with z = bitLength(5^−q) and
    ///              b = z + 127 when q ≥ −27, else b = 2z + 128; then c truncated to its top 128 bits
    ///
    /// ⌊2^b / 5^k⌋ needs no long division: X_k = ⌊2^N / 5^k⌋ follows from X_{k−1} by one ÷5 pass
    /// (nested floors compose: ⌊⌊x⌋/5⌋ = ⌊x/5⌋), and ⌊2^b / 5^k⌋ = X_k >> (N − b) for b ≤ N.
    static func generate() -> UnsafeMutablePointer<UInt64> {
        let count = largestExponent - smallestExponent + 1
        let out = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * count)

        func store(_ q: Int, _ c: [UInt64]) {
            precondition(c.count >= 2 && Big.bitLength(c) == 128)
            out[2 * (q - smallestExponent)] = c[1]
            out[2 * (q - smallestExponent) + 1] = c[0]
        }

        // Negative exponents. N = 2048 ≥ the largest b (2·795 + 128 = 1718, at k = 342).
        let n = 2048
        var x = [UInt64](repeating: 0, count: n / 64 + 1)
        x[n / 64] = 1                                              // 2^N
        for k in 1...(-smallestExponent) {
            Big.divideBy5(&x)                                      // X_k = ⌊2^N / 5^k⌋
            // 2^(z−1) < 5^k < 2^z puts X_k in [2^(N−z), 2^(N−z+1)), so bitLength(X_k) = N − z + 1.
            let z = n + 1 - Big.bitLength(x)
            let b = k <= 27 ? z + 127 : 2 * z + 128
            var c = Big.shiftedRight(x, by: n - b)                 // ⌊2^b / 5^k⌋
            Big.addOne(&c)
            let excess = Big.bitLength(c) - 128
            if excess > 0 { c = Big.shiftedRight(c, by: excess) }
            store(-k, c)
        }

        // Non-negative exponents.
        var p: [UInt64] = [1]
        for q in 0...largestExponent {
            if q > 0 { Big.multiplyBy5(&p) }
            let length = Big.bitLength(p)
            store(q, length <= 128 ? Big.shiftedLeft(p, by: 128 - length) : Big.shiftedRight(p, by: length - 128))
        }
        return out
    }
}
