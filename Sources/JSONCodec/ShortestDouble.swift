// ShortestDouble.swift — a finite Double as the shortest decimal that reads back to the same bits,
// laid out exactly like Swift's `Double.description` ("0.1", "1.0", "1e-07", "1e+16", "5e-324"),
// written straight into a byte buffer. Digits by Schubfach (Giulietti, "The Schubfach way to render
// doubles", 2020; the algorithm of Java 19's DoubleToDecimal). No NaN or Infinity: JSON has none.
//
// Why not call the runtime's formatter? Swift exports it as `swift_float64ToString`, but since 6.2
// that entry point expects a caller buffer pre-filled with "0"s (undocumented) and, measured here,
// runs at ~90–200 ns a number: below this module's 300 MB/s goal. This one is ~2–4× faster; the
// tests check it against `description` on some 600k doubles (`JSONBenchmark verify`, millions) and on every power of two.

enum ShortestDouble {
    /// Room the caller must provide at `out`. The text is at most 24 bytes ("-2.2250738585072014e-308"),
    /// but `layOut` stores whole 8-byte words and may touch up to 34 bytes.
    static let bufferSize = 40

    /// Writes finite `v` at `out` and returns the length. `table` is `PowersOfTen.table`.
    /// Not inlined: its ~1.5 KB of code then exists once, not in every writer that prints a number.
    @inline(never)
    static func write(_ v: Double, to out: UnsafeMutablePointer<UInt8>, table: UnsafePointer<UInt64>) -> Int {
        let bits = v.bitPattern
        // The '-' is stored always and kept only for a negative v: weights' signs are random, and
        // a branch on them was mispredicted half the time.
        out[0] = UInt8(ascii: "-")
        let sign = Int(bits >> 63)
        let fraction = bits & (1 << 52 - 1)
        let biasedExponent = Int(bits >> 52 & 0x7FF)
        let decimal: (f: UInt64, e: Int)
        if biasedExponent != 0 {
            // v = c · 2^q with c = 2^52 + fraction, q = biasedExponent − 1075.
            let mq = 1075 - biasedExponent
            let c = 1 << 52 | fraction
            if 0 < mq && mq < 53 && (c >> UInt64(mq)) << UInt64(mq) == c {
                decimal = (c >> UInt64(mq), 0)              // an integer below 2^53: exact already
            } else {
                decimal = toDecimal(q: -mq, c: c, table: table)
            }
        } else if fraction != 0 {
            // Subnormal. Schubfach needs c ≥ 3 (Giulietti §9.9); Java prints the two below with an
            // extra digit ("4.9E-324"), Swift with the shortest, which we write out directly.
            switch fraction {
            case 1: decimal = (5, -324)                         // 4.94e-324 → "5e-324"
            case 2: decimal = (1, -323)                         // 9.88e-324 → "1e-323"
            default: decimal = toDecimal(q: -1074, c: fraction, table: table)
            }
        } else {
            (out + sign).withMemoryRebound(to: UInt8.self, capacity: 3) { p in
                p[0] = UInt8(ascii: "0"); p[1] = UInt8(ascii: "."); p[2] = UInt8(ascii: "0")
            }
            return sign + 3
        }
        // Swift switches to exponential form above 2^53 (and below 1e-4); see `layOut`.
        let aboveTwoTo53 = bits & ~(1 << 63) > 0x4340_0000_0000_0000
        return sign + layOut(decimal.f, decimal.e, forceExponential: aboveTwoTo53, to: out + sign)
    }

    /// Schubfach proper: the shortest decimal f·10^e in the rounding interval of c·2^q, closest to it,
    /// ties to even f. A transcription of DoubleToDecimal.toDecimal(int, long, int):
    ///
    ///     k  = ⌊log10(2^q)⌋ (or ⌊log10(¾·2^q)⌋ at a binade's bottom, where spacing is irregular)
    ///     vb, vbl, vbr = 4·(v, lower bound, upper bound)·10^−k, rounded to odd ("rop")
    ///     try the one-digit-shorter multiples of 10 around s = ⌊vb/4⌋ first, then s and s + 1.
    /// Two changes from Java: the shorter candidates are tried for every s, not only s ≥ 100; and
    /// there is no `dk` parameter: Java sets it (−1) only for the two smallest subnormals, scaled by
    /// 10 first, and `write` prints those two directly.
    @inline(__always)
    static func toDecimal(q: Int, c: UInt64, table: UnsafePointer<UInt64>) -> (f: UInt64, e: Int) {
        let out: UInt64 = c & 1                            // odd c: interval bounds are excluded
        let cb = c << 2
        let cbr = cb + 2
        let cbl: UInt64
        let k: Int
        if c != 1 << 52 || q == -1074 {
            cbl = cb - 2
            k = (q * 661_971_961_083) >> 41                // ⌊q·log10 2⌋
        } else {
            cbl = cb - 1
            k = (q * 661_971_961_083 - 274_743_187_321) >> 41   // ⌊q·log10 2 + log10 ¾⌋
        }
        let h = UInt64(q + ((-k * 913_124_641_741) >> 38) + 2)  // q + ⌊−k·log2 10⌋ + 2 ∈ [1, 4]
        let index = 2 * (k - PowersOfTen.smallestK)
        let g1 = table[index], g0 = table[index + 1]

        let vb = roundToOdd(g1, g0, cb << h)
        let vbl = roundToOdd(g1, g0, cbl << h)
        let vbr = roundToOdd(g1, g0, cbr << h)

        let s = vb >> 2
        // One digit shorter first. (Java guards this with s ≥ 100 because its format wants at least
        // two digits; Swift's "8e-323" wants the truly shortest, so no guard. The interval is
        // narrower than 10^(k+1), so at most one of the two multiples of 10 can be in it.)
        let sp10 = 10 * (s / 10)
        let tp10 = sp10 + 10
        let upin = vbl + out <= sp10 << 2
        let wpin = (tp10 << 2) + out <= vbr
        let t = s + 1
        let uin = vbl + out <= s << 2
        let win = (t << 2) + out <= vbr
        // Both in the interval: the closer one, ties to even.
        let cmp = Int64(bitPattern: vb &- ((s + t) << 1))
        let closer = cmp < 0 || (cmp == 0 && s & 1 == 0) ? s : t
        // Java's three returns, as selects: which one applies depends on the digits, so branches
        // on it were mispredicted on random weights.
        let f = upin != wpin ? (upin ? sp10 : tp10) : uin != win ? (uin ? s : t) : closer
        return (f, k)
    }

    /// ⌊g·cp / 2^127⌋ with its lowest bit set when the discarded part is non-zero (Giulietti §9.8.3).
    @inline(__always)
    static func roundToOdd(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
        let x1 = g0.multipliedFullWidth(by: cp).high
        let (y1, y0) = g1.multipliedFullWidth(by: cp)
        let z = (y0 >> 1) &+ x1
        let vbp = y1 &+ (z >> 63)
        return vbp | ((z & (1 << 63 - 1)) &+ (1 << 63 - 1)) >> 63
    }

    /// Prints f·10^e (f > 0, f < 10^18) in `description`'s layout, with E = e + digits − 1:
    ///
    ///     E < −4 or |v| > 2^53   "1.2345e-07", "1e+16", "5e-324" (exponent sign, ≥ 2 digits)
    ///     −4 ≤ E < 0             "0.00012345"
    ///     0 ≤ E < digits − 1     "123.45"
    ///     otherwise              "12345000.0"
    ///
    /// The digits are produced left-aligned as 17 ASCII bytes (f scaled up to 17 digits, so the
    /// padding is the "0"s the last layout needs) and placed with whole 8-byte stores; bytes written
    /// past the returned length are scratch, within the caller's `bufferSize`.
    @inline(__always)
    static func layOut(_ f: UInt64, _ e: Int, forceExponential: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var f = f, e = e
        while f % 10 == 0 {                                // rare, and a few steps at most; f ≠ 0
            f /= 10
            e += 1
        }
        // Digit count from the bit length, corrected by one comparison (1233/4096 ≈ log10 2).
        var n = ((64 - f.leadingZeroBitCount) * 1233) >> 12
        if f >= powerOfTen(n) { n += 1 }
        let exponent = e + n - 1

        let aligned = f &* powerOfTen(17 - n)              // exactly 17 digits
        let rest = aligned % 10_000_000_000_000_000
        let first = UInt8(truncatingIfNeeded: aligned / 10_000_000_000_000_000) &+ UInt8(ascii: "0")
        let middle = eightDigits(UInt32(truncatingIfNeeded: rest / 100_000_000))
        let last = eightDigits(UInt32(truncatingIfNeeded: rest % 100_000_000))
        let raw = UnsafeMutableRawPointer(out)

        if forceExponential || exponent < -4 {
            out[0] = first
            var len = 1
            if n > 1 {
                out[1] = UInt8(ascii: ".")
                raw.storeBytes(of: middle, toByteOffset: 2, as: UInt64.self)
                raw.storeBytes(of: last, toByteOffset: 10, as: UInt64.self)
                len = n + 1
            }
            out[len] = UInt8(ascii: "e")
            out[len + 1] = exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
            var a = exponent < 0 ? -exponent : exponent
            len += 2
            if a >= 100 {
                out[len] = UInt8(truncatingIfNeeded: a / 100) &+ UInt8(ascii: "0")
                a %= 100
                len += 1
            }
            out[len] = UInt8(truncatingIfNeeded: a / 10) &+ UInt8(ascii: "0")
            out[len + 1] = UInt8(truncatingIfNeeded: a % 10) &+ UInt8(ascii: "0")
            return len + 2
        } else if exponent < 0 {
            raw.storeBytes(of: 0x3030_3030_3030_2E30, toByteOffset: 0, as: UInt64.self)   // "0.000000"
            let start = 1 - exponent                       // after "0." and −E−1 zeros
            out[start] = first
            raw.storeBytes(of: middle, toByteOffset: start + 1, as: UInt64.self)
            raw.storeBytes(of: last, toByteOffset: start + 9, as: UInt64.self)
            return start + n
        } else {
            out[0] = first
            raw.storeBytes(of: middle, toByteOffset: 1, as: UInt64.self)
            raw.storeBytes(of: last, toByteOffset: 9, as: UInt64.self)
            if exponent + 1 < n {
                // Open a gap for the point: move digits E+1… one byte right (loads before stores).
                let tail0 = raw.loadUnaligned(fromByteOffset: exponent + 1, as: UInt64.self)
                let tail1 = raw.loadUnaligned(fromByteOffset: exponent + 9, as: UInt64.self)
                raw.storeBytes(of: tail0, toByteOffset: exponent + 2, as: UInt64.self)
                raw.storeBytes(of: tail1, toByteOffset: exponent + 10, as: UInt64.self)
                out[exponent + 1] = UInt8(ascii: ".")
                return n + 1
            }
            // Integral: the "0"s after the n digits are already there (E ≤ 15 < 17 here).
            out[exponent + 1] = UInt8(ascii: ".")
            out[exponent + 2] = UInt8(ascii: "0")
            return exponent + 3
        }
    }

    /// n < 10^8 as eight ASCII digits in a little-endian UInt64, branch-free (Paul Khuong's method,
    /// as in the Swift stdlib's `_intToEightDigits`).
    @inline(__always)
    static func eightDigits(_ n: UInt32) -> UInt64 {
        let div8 = n / 10000
        let mod8 = n &- div8 &* 10000
        let fours = UInt64(div8) | UInt64(mod8) << 32
        let div4 = ((fours &* 10486) >> 20) & 0x0000_007F_0000_007F
        let mod4 = fours &- 100 &* div4
        let pairs = div4 | mod4 << 16
        let div2 = ((pairs &* 103) >> 10) & 0x000F_000F_000F_000F
        let mod2 = pairs &- 10 &* div2
        let singles = div2 | mod2 << 8
        return singles &+ 0x3030_3030_3030_3030
    }

    @inline(__always)
    static func powerOfTen(_ k: Int) -> UInt64 { powersOfTen[k] }
}

/// 10^0 … 10^19. An array literal of constants: the compiler lays it out statically, so an index is
/// one load. (A tuple read through withUnsafePointer was copied to the stack on every call.)
private let powersOfTen: [UInt64] = [
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
    10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
    1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000, 1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
]
