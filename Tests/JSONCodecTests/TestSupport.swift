// TestSupport.swift — shared helpers for the JSONCodec tests: a seeded generator (so failures
// reproduce), strtod as the reference reader, and small parse shorthands. No Foundation.
import Glibc
import JSONCodec

/// SplitMix64 (Steele, Lea & Flood 2014): tiny, seeded, good enough for test inputs.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// glibc strtod on a Swift string: the reference every parsed number must equal bit for bit.
func referenceStrtod(_ s: String) -> Double {
    s.withCString { strtod($0, nil) }
}

func parse(_ text: String, limits: JSONReader.Limits = .init()) throws(JSONSyntaxError) -> JSONValue {
    try JSONReader.parse(Array(text.utf8), limits: limits)
}

/// The error `text` must produce (a test failure if it parses).
func parseError(_ bytes: [UInt8], limits: JSONReader.Limits = .init()) -> JSONSyntaxError? {
    do {
        _ = try JSONReader.parse(bytes, limits: limits)
        return nil
    } catch {
        return error
    }
}

func parseError(_ text: String, limits: JSONReader.Limits = .init()) -> JSONSyntaxError? {
    parseError(Array(text.utf8), limits: limits)
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// A random finite double from a uniformly random bit pattern (so every exponent is equally likely).
func randomFiniteDouble<G: RandomNumberGenerator>(using g: inout G) -> Double {
    while true {
        let x = Double(bitPattern: g.next())
        if x.isFinite { return x }
    }
}
