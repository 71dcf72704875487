// SpecialBytes.swift — finds, 8 bytes at a time, the bytes a JSON string cannot hold as they are:
// quote, backslash and controls (RFC 8259 §7). The writer escapes them; the reader stops its
// plain-text fast path at them. Not UTF-8 validation (StringParsing.swift).

enum SpecialBytes {
    static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// One byte's test, for the bytes past the last whole word: quote, backslash, controls.
    @inline(__always)
    static func isSpecial(_ c: UInt8) -> Bool {
        c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\")
    }

    /// The high bit of each byte of `w` (read little-endian: byte 0 first in memory) that is a
    /// quote, a backslash or below 0x20, by the SWAR tests of "Bit Twiddling Hacks" (Anderson):
    ///
    ///     bytes < 0x20:   (w − 0x20…20) & ~w & 0x80…80
    ///     bytes == 0:     (w − 0x01…01) & ~w & 0x80…80   (applied to w ^ 0x22…22, w ^ 0x5C…5C)
    ///
    /// Bytes ≥ 0x80 never count (the `~w` term). A borrow can mark a byte above a marked one
    /// falsely, never one below it, so the lowest mark is exact: whether any byte is special, and
    /// which comes first.
    @inline(__always)
    static func marks(_ w: UInt64) -> UInt64 {
        @inline(__always) func zeroBytes(_ v: UInt64) -> UInt64 { (v &- 0x0101_0101_0101_0101) & ~v & highBits }
        let controls = (w &- 0x2020_2020_2020_2020) & ~w & highBits
        return controls | zeroBytes(w ^ 0x2222_2222_2222_2222) | zeroBytes(w ^ 0x5C5C_5C5C_5C5C_5C5C)
    }
}
