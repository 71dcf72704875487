// NumberReadingTests.swift — every number the reader accepts converts to exactly the float64 glibc's
// strtod gives (bit for bit), over hand-picked hard cases and many random decimal strings.
@testable import JSONCodec
import Testing

@Suite struct NumberReadingTests {
    /// The reader's value for `s` as a lone top-level number; nil if it threw.
    func read(_ s: String) -> Double? {
        guard case .number(let x)? = try? parse(s) else { return nil }
        return x
    }

    func expectSameAsStrtod(_ s: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = referenceStrtod(s)
        if expected.isInfinite {
            let e = parseError(s)
            #expect(e?.message == "number out of float64 range", "\(s)", sourceLocation: sourceLocation)
            return
        }
        let got = read(s)
        #expect(got?.bitPattern == expected.bitPattern, "\(s): got \(String(describing: got)), strtod \(expected)",
                sourceLocation: sourceLocation)
    }

    static let hardCases = [
        "0", "-0", "0.0", "-0.0", "0e0", "0e-999999", "0.000e+999999", "1", "-1", "0.1", "0.2", "0.3",
        "1e23", "8.98846567431158e307", "9007199254740992", "9007199254740993", "9007199254740994",
        "9007199254740995", "18014398509481985", "7.2057594037927933e16", "2.2250738585072011e-308",
        "2.2250738585072012e-308", "2.2250738585072014e-308", "2.225073858507201136057409796709131975934819546351645648e-308",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "3e-324",
        "1e-400", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623158079e308",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126",
        "9007199254740993.0000000000000000000000000000001", "123456789012345678901234567890",
        "0.000000000000000000000000000000000000000000001234567890123456789012",
        "1448997445238699", "3.4028236692093846346e38", "5.0216813883093446110686315385661331328818843555712276103941e-324",
        "4.4501477170144023e-308", "2.2250738585072011e-308", "1.8446744073709552e19", "18446744073709551615",
        "18446744073709551616", "10000000000000000000000", "1e22", "1e-22", "123456789e-22", "9.5e-5",
        "4.35679e-10", "0.05120501642039003", "1.0000000000000002", "0.9999999999999999",
        "179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368",
        "1e308", "1e309", "1e999", "-1e999", "1.8e308", "2e308",
    ]

    @Test(arguments: hardCases) func hardCase(_ s: String) {
        expectSameAsStrtod(s)
    }

    @Test func longRunsOfZeros() {
        expectSameAsStrtod("0." + String(repeating: "0", count: 320) + "4940656458412465441765687928682213723651")
        expectSameAsStrtod("1" + String(repeating: "0", count: 308))
        expectSameAsStrtod("1" + String(repeating: "0", count: 309))
        expectSameAsStrtod("1" + String(repeating: "0", count: 400) + "e-400")
        expectSameAsStrtod("0." + String(repeating: "0", count: 400) + "1e400")
        expectSameAsStrtod(String(repeating: "9", count: 800) + "e-800")
    }

    /// Random digit strings of 1–25 significant digits, a random decimal point, exponents −350…+310.
    @Test func randomDecimalStrings() {
        var g = SplitMix64(seed: 0x5EED_0001)
        var mismatches = 0
        for _ in 0..<100_000 {
            let digitCount = Int.random(in: 1...25, using: &g)
            var digits = String(Int.random(in: 1...9, using: &g))
            for _ in 1..<digitCount { digits.append(Character(String(Int.random(in: 0...9, using: &g)))) }
            var s = Bool.random(using: &g) ? "-" : ""
            let point = Int.random(in: 0...digitCount, using: &g)
            if point == 0 || point == digitCount {
                s += digits
                if point == 0 && digitCount > 1 { s += ".0" }
            } else {
                s += digits.prefix(point) + "." + digits.dropFirst(point)
            }
            if Int.random(in: 0..<10, using: &g) > 0 {
                s += (Bool.random(using: &g) ? "e" : "E") + String(Int.random(in: -350...310, using: &g))
            }
            let expected = referenceStrtod(s)
            if expected.isInfinite {
                if parseError(s)?.message != "number out of float64 range" { mismatches += 1 }
            } else if read(s)?.bitPattern != expected.bitPattern {
                mismatches += 1
                if mismatches < 10 { Issue.record("mismatch on \(s)") }
            }
        }
        #expect(mismatches == 0)
    }

    /// Short inputs (≤ 19 digits, small exponents) stress Clinger's path and its boundary with
    /// Eisel–Lemire; numbers near 2^53 and exact halfway points between doubles stress rounding.
    @Test func randomShortAndHalfwayInputs() {
        var g = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<100_000 {
            let w = UInt64.random(in: 1...(UInt64(1) << 60), using: &g)
            let q = Int.random(in: -30...30, using: &g)
            let s = "\(w)e\(q)"
            let got = read(s)
            #expect(got?.bitPattern == referenceStrtod(s).bitPattern, "\(s)")
            if got?.bitPattern != referenceStrtod(s).bitPattern { break }
        }
        // m·2^e + 2^(e−1) is exactly halfway; written as an integer it needs no rounding to print.
        for _ in 0..<20_000 {
            let m = UInt64.random(in: (1 << 52)...((1 << 53) - 1), using: &g)
            let halfway = m << 1 | 1                        // (2m+1)·2^(e−1), e−1 = 0…9
            let shift = UInt64.random(in: 0...9, using: &g)
            let s = "\(halfway << shift)"
            let got = read(s)
            #expect(got?.bitPattern == referenceStrtod(s).bitPattern, "\(s)")
            if got?.bitPattern != referenceStrtod(s).bitPattern { break }
        }
    }

    /// 17-significant-digit decimals of random doubles, perturbed in the last digit: the inputs
    /// that sit closest to rounding boundaries in practice.
    @Test func perturbedDescriptions() {
        var g = SplitMix64(seed: 0x5EED_0003)
        for _ in 0..<50_000 {
            let x = randomFiniteDouble(using: &g)
            // Change the mantissa's last digit (before any exponent) to another digit.
            var mantissa = Array(x.description.split(separator: "e", maxSplits: 1).first!.utf8)
            let exponentPart = x.description.contains("e") ? "e" + x.description.split(separator: "e")[1] : ""
            let d = mantissa[mantissa.count - 1] - UInt8(ascii: "0")
            mantissa[mantissa.count - 1] = UInt8(ascii: "0") + (d + UInt8.random(in: 1...9, using: &g)) % 10
            let s = text(mantissa) + exponentPart
            let expected = referenceStrtod(s)
            if expected.isInfinite { continue }
            let got = read(s)
            #expect(got?.bitPattern == expected.bitPattern, "\(s)")
            if got?.bitPattern != expected.bitPattern { break }
        }
    }

    /// The fraction is read eight digits at a time while eight digit bytes remain: every fraction
    /// length from 1 to 26 digits, ending the input, before an exponent, and before ',' and ']' in
    /// an array, reads as strtod does.
    @Test func fractionsOfEveryLengthAndEnding() {
        var g = SplitMix64(seed: 0x5EED_0004)
        for length in 1...26 {
            for _ in 0..<40 {
                let fraction = String((0..<length).map { _ in Character(String(Int.random(in: 0...9, using: &g))) })
                let s = "\(Int.random(in: 0...99, using: &g)).\(fraction)"
                expectSameAsStrtod(s)
                expectSameAsStrtod(s + "e-7")
                guard case .numbers(let xs)? = try? parse("[\(s),\(s)e3]") else {
                    Issue.record("[\(s),\(s)e3] did not read as numbers")
                    continue
                }
                #expect(xs.map(\.bitPattern) == [referenceStrtod(s).bitPattern, referenceStrtod(s + "e3").bitPattern], "\(s)")
            }
        }
    }

    /// The word-at-a-time digit test and value against a byte-by-byte reading: every single
    /// non-digit byte at every position of an all-digit word, and random words of digits.
    @Test func eightDigitsAtATime() {
        func word(_ bytes: [UInt8]) -> UInt64 { bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        var g = SplitMix64(seed: 0x5EED_0005)
        for _ in 0..<20_000 {
            let digits = (0..<8).map { _ in UInt8(ascii: "0") + UInt8.random(in: 0...9, using: &g) }
            let expected = digits.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }
            #expect(SWARDigits.allDigits(word(digits)))
            #expect(SWARDigits.value(word(digits)) == expected, "\(digits)")
        }
        let digits = Array("31415926".utf8)
        for position in 0..<8 {
            for byte in UInt8.min...UInt8.max where !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var bytes = digits
                bytes[position] = byte
                #expect(!SWARDigits.allDigits(word(bytes)), "byte \(byte) at \(position)")
            }
        }
    }
}
