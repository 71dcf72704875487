// RoundTripTests.swift — write → read gives back the very same bits for every finite double, and
// the writer's digits are exactly Double.description's (the shortest round-trip form).
import JSONCodec
import Testing

@Suite struct RoundTripTests {
    static let specials: [Double] = [
        0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
        .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, -.greatestFiniteMagnitude,
        0.1, 0.2, 0.3, 1e23, Double("9007199254740993")!, 9007199254740992, 1, -1, 1.5, 100, 1e15, 1e16, 1e-7,
        Double("5e-324")!, Double("2.2250738585072011e-308")!, 0.48000000000000004, Double("123456789012345680000")!, .pi, -.ulpOfOne,
        1.0.nextUp, 1.0.nextDown, 0.05120501642039003, Double(Int64.max), Double(UInt64.max),
    ]

    func roundTrip(_ xs: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        var w = JSONWriter()
        w.numbers(xs)
        guard case .numbers(let back)? = try? JSONReader.parse(w.bytes) else {
            Issue.record("did not read back as .numbers", sourceLocation: sourceLocation)
            return
        }
        #expect(back.count == xs.count, sourceLocation: sourceLocation)
        for (x, y) in zip(xs, back) where x.bitPattern != y.bitPattern {
            Issue.record("\(x) came back as \(y)", sourceLocation: sourceLocation)
            return
        }
    }

    /// Writes `xs` as one array and compares each element's text with `description`.
    @discardableResult
    func expectDescriptions(_ xs: [Double], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var w = JSONWriter(reservingCapacity: xs.count * 25)
        w.numbers(xs)
        let written = text(w.bytes).dropFirst().dropLast().split(separator: ",")
        #expect(written.count == xs.count, sourceLocation: sourceLocation)
        var mismatches = 0
        for (x, s) in zip(xs, written) where s != x.description {
            mismatches += 1
            if mismatches <= 5 { Issue.record("wrote \(s), description is \(x.description)", sourceLocation: sourceLocation) }
        }
        return mismatches == 0
    }

    @Test func specialValuesRoundTrip() {
        roundTrip(Self.specials)
        for x in Self.specials {
            // One at a time, through number() and the top level too.
            var w = JSONWriter()
            w.number(x)
            #expect(text(w.bytes) == x.description)
            #expect((try? JSONReader.parse(w.bytes))?.numberValue?.bitPattern == x.bitPattern)
        }
    }

    @Test func subnormalsRoundTrip() {
        var g = SplitMix64(seed: 0x5EED_0010)
        let xs = (0..<50_000).map { _ in Double(bitPattern: UInt64.random(in: 1..<(1 << 52), using: &g)) }
        roundTrip(xs)
        roundTrip(xs.map { -$0 })
    }

    /// Doubles from uniformly random bit patterns: every exponent, every sign.
    @Test func randomBitPatternsRoundTrip() {
        var g = SplitMix64(seed: 0x5EED_0011)
        for _ in 0..<3 {
            roundTrip((0..<100_000).map { _ in randomFiniteDouble(using: &g) })
        }
    }

    /// Doubles in [0, 1) like real weights: 16–17 significant digits, no exponent.
    @Test func randomUnitIntervalRoundTrip() {
        var g = SplitMix64(seed: 0x5EED_0012)
        roundTrip((0..<100_000).map { _ in Double.random(in: 0..<1, using: &g) })
        roundTrip((0..<100_000).map { _ in Double.random(in: -1e6..<1e6, using: &g) })
    }

    /// The writer's text for each number is exactly `Double.description`, whose digits are the
    /// shortest that round-trip: checks our Schubfach (ShortestDouble.swift) on 600k random doubles
    /// of both kinds (`JSONBenchmark verify` sweeps tens of millions in release builds).
    @Test func writerMatchesDescription() {
        var g = SplitMix64(seed: 0x5EED_0013)
        for batch in 0..<6 {
            let xs = (0..<100_000).map { _ in
                batch.isMultiple(of: 2) ? randomFiniteDouble(using: &g) : Double.random(in: -10..<10, using: &g)
            }
            if !expectDescriptions(xs) { return }
        }
    }

    /// Powers of two sit at binade boundaries, where the rounding interval is asymmetric (Schubfach's
    /// "irregular spacing" branch); integers and exact decimals exercise trailing-zero removal.
    @Test func writerMatchesDescriptionAtBoundaries() {
        var xs: [Double] = []
        for q in -1074...1023 {
            let p = Double(sign: .plus, exponent: q, significand: 1)
            xs += [p, p.nextUp, p.nextDown, -p]
        }
        xs += (0..<2000).map { Double($0) } + (0..<2000).map { Double($0) / 1000 } + (0..<400).map { Double(1 << 53) + Double($0) }
        xs += (-330...310).map { Double("1e\($0)")! } + (-330...310).map { Double("9.999999999999999e\($0)")! }
        // Around a power of ten the shortest digits change length (…999 below, 1000…1 above), and
        // the layout switches between "0.0…" and exponent forms at 1e-4 and 1e16.
        xs += (-330...310).flatMap { (k: Int) -> [Double] in
            let p = Double("1e\(k)")!
            return [p.nextDown, p.nextDown.nextDown, p.nextUp]
        }
        xs = xs.filter { $0.isFinite }
        expectDescriptions(xs)
        roundTrip(xs)
    }

    @Test func fullDocumentRoundTrip() throws {
        let doc: JSONValue = [
            "network": ["layers": [["weights": [[0.1, -0.2], [1e-300, .number(.leastNonzeroMagnitude)]], "biases": [0, 1], "activation": "sigmoid"]]],
            "inputs": [[1, 2.5]], "empty": [], "emptyObject": JSONValue.object([:]), "flag": true, "nothing": .null,
            "mixed": [1, "two", [3], false], "text": "quote \" backslash \\ slash / tab \t nl \n ctl \u{01} é 😀",
        ]
        let bytes = JSONWriter.encode(doc)
        let back = try JSONReader.parse(bytes)
        #expect(back == doc)
        #expect(JSONWriter.encode(back) == bytes)
    }
}
