// PowersOfTen.swift — the 126-bit upper approximations g(k) of 10^−k, k ∈ [−324, 292], that the
// Schubfach printer multiplies by (the table `g` of Java's MathUtils, Giulietti 2020, §9.8).
// Generated exactly, once, at first use, with TinyBignum.swift. Not the reader's table (PowersOfFive).

enum PowersOfTen {
    static let smallestK = -324
    static let largestK = 292

    /// `table[2*(k+324)]` = g1 = ⌊g / 2^63⌋, `table[2*(k+324)+1]` = g0 = g mod 2^63, where
    ///
    ///     10^−k = β · 2^r  with  2^125 ≤ β < 2^126,   g = ⌊β⌋ + 1
    ///
    /// so (g − 1)·2^r ≤ 10^−k < g·2^r. Immortal: allocated once, never freed.
    nonisolated(unsafe) static let table: UnsafePointer<UInt64> = UnsafePointer(generate())

    static func generate() -> UnsafeMutablePointer<UInt64> {
        let count = largestK - smallestK + 1
        let out = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * count)

        func store(_ k: Int, _ floorBeta: [UInt64]) {
            var g = floorBeta
            Big.addOne(&g)
            while g.count < 2 { g.append(0) }
            precondition(Big.bitLength(g) == 126 || Big.bitLength(g) == 127 && g[1] == 1 << 62 && g[0] == 0)
            out[2 * (k - smallestK)] = g[1] << 1 | g[0] >> 63
            out[2 * (k - smallestK) + 1] = g[0] & (1 << 63 - 1)
        }

        // k ≤ 0: 10^−k is an integer P with bit length L; β = P / 2^(L−126), r = L − 126.
        var p: [UInt64] = [1]
        for k in stride(from: 0, through: smallestK, by: -1) {
            if k < 0 { Big.multiplyBy10(&p) }
            let length = Big.bitLength(p)
            store(k, length <= 126 ? Big.shiftedLeft(p, by: 126 - length) : Big.shiftedRight(p, by: length - 126))
        }

        // k > 0: β = 2^s / 10^k with s = L + 125, L = bitLength(10^k) (then 2^125 < β < 2^126).
        // As for the powers of five, ⌊2^s / 10^k⌋ = ⌊2^N / 10^k⌋ >> (N − s), and ⌊2^N / 10^k⌋ comes
        // from the previous one by one exact ÷10 pass. N = 1280 ≥ the largest s (1059 + 125).
        let n = 1280
        var x = [UInt64](repeating: 0, count: n / 64 + 1)
        x[n / 64] = 1
        for k in 1...largestK {
            Big.divideBy10(&x)
            let length = n + 1 - Big.bitLength(x)          // bitLength(10^k), as in PowersOfFive
            store(k, Big.shiftedRight(x, by: n - (length + 125)))
        }
        return out
    }
}
