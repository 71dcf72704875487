// TinyBignum.swift — just enough arbitrary-precision arithmetic to generate the two 128-bit power
// tables (PowersOfFive.swift for reading, PowersOfTen.swift for writing) exactly at first use.
// Not a general bignum and not fast: only ×5, ×10, ÷5, ÷10, shifts and +1, a few hundred times.

/// Numbers are little-endian arrays of UInt64 limbs.
enum Big {
    static func bitLength(_ a: [UInt64]) -> Int {
        for k in stride(from: a.count - 1, through: 0, by: -1) where a[k] != 0 {
            return k * 64 + 64 - a[k].leadingZeroBitCount
        }
        return 0
    }

    static func divideBy5(_ a: inout [UInt64]) { divide(&a, by: 5) }
    static func divideBy10(_ a: inout [UInt64]) { divide(&a, by: 10) }
    static func multiplyBy5(_ a: inout [UInt64]) { multiply(&a, by: 5) }
    static func multiplyBy10(_ a: inout [UInt64]) { multiply(&a, by: 10) }

    /// a ← ⌊a / d⌋, schoolbook from the top limb.
    static func divide(_ a: inout [UInt64], by d: UInt64) {
        var remainder: UInt64 = 0
        for k in stride(from: a.count - 1, through: 0, by: -1) {
            let (q, r) = d.dividingFullWidth((high: remainder, low: a[k]))
            a[k] = q
            remainder = r
        }
    }

    static func multiply(_ a: inout [UInt64], by m: UInt64) {
        var carry: UInt64 = 0
        for k in a.indices {
            let (high, low) = a[k].multipliedFullWidth(by: m)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            a[k] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { a.append(carry) }
    }

    static func addOne(_ a: inout [UInt64]) {
        for k in a.indices {
            a[k] &+= 1
            if a[k] != 0 { return }
        }
        a.append(1)
    }

    static func shiftedRight(_ a: [UInt64], by s: Int) -> [UInt64] {
        let limbs = s / 64, bits = s % 64
        var r = [UInt64](repeating: 0, count: max(a.count - limbs, 1))
        for k in 0..<(a.count - limbs) {
            let low = a[k + limbs] >> UInt64(bits)
            let high = (bits != 0 && k + limbs + 1 < a.count) ? a[k + limbs + 1] << UInt64(64 - bits) : 0
            r[k] = low | high
        }
        return r
    }

    static func shiftedLeft(_ a: [UInt64], by s: Int) -> [UInt64] {
        let limbs = s / 64, bits = s % 64
        var r = [UInt64](repeating: 0, count: a.count + limbs + 1)
        for k in a.indices {
            r[k + limbs] |= a[k] << UInt64(bits)
            if bits != 0 { r[k + limbs + 1] |= a[k] >> UInt64(64 - bits) }
        }
        return r
    }
}
