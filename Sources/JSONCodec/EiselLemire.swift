// EiselLemire.swift — converts a decimal w × 10^q (w < 2^64) to the nearest float64 with one, rarely
// two, 64×64→128-bit multiplications against a truncated power of five.
// Lemire, "Number Parsing at a Gigabyte per Second" (SP&E 2021); a transcription of fast_float's
// `compute_float<binary64>`. Not a parser: it gets the digits as an integer, and says nil when unsure.

enum EiselLemire {
    /// The float64 bit pattern (sign bit clear) nearest to w × 10^q, or nil when the truncated product
    /// cannot decide (the caller then asks strtod). Overflow yields the +infinity pattern.
    static func bits(w: UInt64, q: Int, powers: UnsafePointer<UInt64>) -> UInt64? {
        if w == 0 || q < PowersOfFive.smallestExponent { return 0 }       // below 2^−1075: zero
        if q > PowersOfFive.largestExponent { return infinityBits }      // w ≥ 1, so ≥ 10^309

        let lz = w.leadingZeroBitCount
        let wn = w << UInt64(lz)
        let index = 2 * (q - PowersOfFive.smallestExponent)
        var (high, low) = wn.multipliedFullWidth(by: powers[index])
        // We need the top 55 bits (52 + hidden + round + sticky). If the 9 bits below them are all
        // ones, the truncated power may have cost us a carry: add the product with the low half.
        if high & 0x1FF == 0x1FF {
            let second = wn.multipliedFullWidth(by: powers[index + 1]).high
            let (sum, overflow) = low.addingReportingOverflow(second)
            low = sum
            if overflow { high &+= 1 }
        }
        // fast_float 1.x's guard: still all ones and 5^q not exactly representable → undecided.
        // (Mushtak & Lemire later proved this never happens for 64-bit w; it costs one compare.)
        if low == UInt64.max && !(q >= -27 && q <= 55) { return nil }

        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit + 64 - 52 - 3)
        var mantissa = high >> shift
        // ⌊log2(10^q)⌋ + 63 ≈ ((152170 + 65536)·q >> 16) + 63, exact over the table's range.
        var power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - lz + 1023

        if power2 <= 0 {                                   // subnormal (or rounds up to the smallest normal)
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return UInt64(power2) << 52 | (mantissa & mantissaMask)
        }
        // Exactly halfway (possible only for small |q|): round to even instead of up.
        if low <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 && (mantissa << shift) == high {
            mantissa &= ~1
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= (2 << 52) {                         // rounding carried into a new binade
            mantissa = 1 << 52
            power2 += 1
        }
        if power2 >= 0x7FF { return infinityBits }
        return UInt64(power2) << 52 | (mantissa & mantissaMask)
    }

    static let infinityBits: UInt64 = 0x7FF0_0000_0000_0000
    private static let mantissaMask: UInt64 = (1 << 52) - 1
}
