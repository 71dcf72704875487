// NumberParsing.swift — the RFC 8259 §6 number grammar, scanned in place, and its conversion to the
// correctly rounded float64 (exactly what strtod returns): Clinger's fast path, then Eisel–Lemire,
// then glibc strtod when those cannot decide. Not here: the powers table (PowersOfFive.swift).
internal import Glibc

extension Parser {
    /// Parses the number token at `i`, leaving `i` just past it.
    mutating func parseNumber() throws(JSONSyntaxError) -> Double {
        let start = i
        var p = i
        let negative = base[p] == UInt8(ascii: "-")
        if negative { p += 1 }
        guard p < end else { throw fail("unexpected end of input", at: p) }

        // Integer part: "0" or [1-9][0-9]*. Digits accumulate mod 2^64; the count says if that held.
        let intStart = p
        var w: UInt64 = 0
        let first = base[p] &- UInt8(ascii: "0")
        if first == 0 {
            p += 1
            if p < end && base[p] &- UInt8(ascii: "0") < 10 { throw fail("leading zeros are not allowed", at: start) }
        } else if first < 10 {
            repeat {
                w = w &* 10 &+ UInt64(base[p] &- UInt8(ascii: "0"))
                p += 1
            } while p < end && base[p] &- UInt8(ascii: "0") < 10
        } else if base[p] == UInt8(ascii: "I") || base[p] == UInt8(ascii: "N") {
            throw fail("NaN and Infinity are not valid JSON numbers", at: start)
        } else {
            throw fail("expected a digit after '-'", at: p)
        }
        var digitCount = p - intStart

        // Fraction.
        var fractionDigits = 0
        if p < end && base[p] == UInt8(ascii: ".") {
            p += 1
            let fractionStart = p
            // Eight digits at a time while eight bytes remain and all are digits: a double's
            // fraction is usually 16 or 17 of them, which a byte loop takes as a chain of 17
            // dependent multiply-adds. w still accumulates mod 2^64, as digit by digit.
            while end - p >= 8 {
                let chunk = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
                guard SWARDigits.allDigits(chunk) else { break }
                w = w &* 100_000_000 &+ SWARDigits.value(chunk)
                p += 8
            }
            while p < end {
                let d = base[p] &- UInt8(ascii: "0")
                if d >= 10 { break }
                w = w &* 10 &+ UInt64(d)
                p += 1
            }
            fractionDigits = p - fractionStart
            if fractionDigits == 0 { throw fail("expected a digit after the decimal point", at: p) }
            digitCount += fractionDigits
        }
        let mantissaEnd = p

        // Exponent, saturated far outside float64's range (the value is then 0 or an overflow anyway).
        var exponent = -fractionDigits
        if p < end && base[p] | 0x20 == UInt8(ascii: "e") {
            p += 1
            var exponentNegative = false
            if p < end && (base[p] == UInt8(ascii: "+") || base[p] == UInt8(ascii: "-")) {
                exponentNegative = base[p] == UInt8(ascii: "-")
                p += 1
            }
            guard p < end && base[p] &- UInt8(ascii: "0") < 10 else {
                throw fail(p < end ? "expected a digit in the exponent" : "unexpected end of input", at: p)
            }
            var e = 0
            repeat {
                if e < 100_000_000 { e = e * 10 + Int(base[p] &- UInt8(ascii: "0")) }
                p += 1
            } while p < end && base[p] &- UInt8(ascii: "0") < 10
            exponent += exponentNegative ? -e : e
        }
        i = p
        if p - start > limits.maxNumberLength {
            throw fail("number longer than \(limits.maxNumberLength) characters", at: start)
        }

        let digits = NumberDigits(base: base, intStart: intStart, mantissaEnd: mantissaEnd, exponent: exponent, powers: powers)
        let magnitude = digitCount <= 19 ? digits.convert(w: w, q: exponent) : digits.convertLong()
        if magnitude.isInfinite { throw fail("number out of float64 range", at: start) }
        return negative ? -magnitude : magnitude
    }
}

/// A scanned number token's digits and decimal exponent: all that converting it needs. (As methods
/// of the parser, these copied the whole parser on every number.)
struct NumberDigits {
    let base: UnsafePointer<UInt8>
    /// The integer part's first digit; `mantissaEnd` is just past the last digit before any
    /// exponent, and the digits between (without the point) times 10^`exponent` are the value.
    let intStart: Int
    let mantissaEnd: Int
    let exponent: Int
    let powers: UnsafePointer<UInt64>

    /// w × 10^q with w exact (at most 19 digits).
    @inline(__always)
    func convert(w: UInt64, q: Int) -> Double {
        // Clinger (1990): w and 10^|q| are both exact doubles, so one IEEE operation rounds correctly.
        if q >= -22 && q <= 22 && w <= 1 << 53 {
            let x = Double(w)
            return q < 0 ? x / exactPowerOfTen(-q) : x * exactPowerOfTen(q)
        }
        if let bits = EiselLemire.bits(w: w, q: q, powers: powers) { return Double(bitPattern: bits) }
        return strtodFallback()
    }

    /// More than 19 digits were written. Leading zeros do not count; if more than 19 significant
    /// digits remain, truncate to 19 and bracket the value between w and w + 1 (fast_float's trick):
    /// when both round to the same double, that is the answer.
    func convertLong() -> Double {
        var p = intStart
        while p < mantissaEnd && (base[p] == UInt8(ascii: "0") || base[p] == UInt8(ascii: ".")) { p += 1 }
        var w: UInt64 = 0
        var taken = 0
        var significant = 0
        var droppedNonZero = false
        while p < mantissaEnd {
            let d = base[p] &- UInt8(ascii: "0")
            p += 1
            if d >= 10 { continue }                            // the '.'
            significant += 1
            if taken < 19 {
                w = w &* 10 &+ UInt64(d)
                taken += 1
            } else if d != 0 {
                droppedNonZero = true
            }
        }
        let q = exponent + (significant - taken)
        if significant <= 19 || !droppedNonZero {
            return convert(w: w, q: q)
        }
        if let low = EiselLemire.bits(w: w, q: q, powers: powers),
            let high = EiselLemire.bits(w: w + 1, q: q, powers: powers), low == high
        {
            return Double(bitPattern: low)
        }
        return strtodFallback()
    }

    /// glibc's strtod is exact (bignum) for any input. We hand it "<digits>e<exponent>" with no
    /// decimal point, so LC_NUMERIC cannot change the meaning, in a NUL-terminated temporary buffer.
    private func strtodFallback() -> Double {
        let capacity = mantissaEnd - intStart + 24
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: capacity) { buffer in
            var n = 0
            for p in intStart..<mantissaEnd where base[p] != UInt8(ascii: ".") {
                buffer[n] = CChar(bitPattern: base[p])
                n += 1
            }
            buffer[n] = CChar(bitPattern: UInt8(ascii: "e"))
            n += 1
            for c in String(exponent).utf8 {
                buffer[n] = CChar(bitPattern: c)
                n += 1
            }
            buffer[n] = 0
            return strtod(buffer.baseAddress!, nil)
        }
    }
}

/// 10^k for k in 0...22: exactly representable, which is what makes Clinger's fast path exact.
@inline(__always) private func exactPowerOfTen(_ k: Int) -> Double { exactPowersOfTen[k] }

/// An array literal of constants, laid out statically: an index is one load (a tuple read through
/// withUnsafePointer was copied to the stack on every call).
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// Eight ASCII digits read as one little-endian word (fast_float's SWAR parse, Lemire 2018).
enum SWARDigits {
    /// Whether every byte of `chunk` is '0'…'9'. A byte b above '9' sets bit 7 of b + 0x46 (or,
    /// from 0xBA up, of b − 0x30); a byte below '0' sets bit 7 of b − 0x30; a digit sets neither.
    /// Carries and borrows cross into the next byte only out of a byte that fails already.
    @inline(__always)
    static func allDigits(_ chunk: UInt64) -> Bool {
        ((chunk &+ 0x4646_4646_4646_4646) | (chunk &- 0x3030_3030_3030_3030)) & 0x8080_8080_8080_8080 == 0
    }

    /// The eight digits' value, the first byte (lowest address) most significant: pairs
    /// (10·d0 + d1), then quads (100·pair + pair), then 10^4·quad + quad.
    @inline(__always)
    static func value(_ chunk: UInt64) -> UInt64 {
        var v = chunk &- 0x3030_3030_3030_3030
        v = v &* 10 &+ (v >> 8)                        // byte 2k: 10·d(2k) + d(2k+1)
        let pairs = v & 0x0000_00FF_0000_00FF, pairsHigh = (v >> 16) & 0x0000_00FF_0000_00FF
        // 100·p0 + p1 + 10^6·p2 + 10^4·p3 lands in bits 32…63.
        return (pairs &* 0x000F_4240_0000_0064 &+ pairsHigh &* 0x0000_2710_0000_0001) >> 32
    }
}
