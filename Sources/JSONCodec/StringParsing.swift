// StringParsing.swift — JSON strings (RFC 8259 §7): escapes incl. \uXXXX surrogate pairs, raw
// control characters rejected, UTF-8 validated (Unicode §3.9, Table 3-7: no overlongs, no
// surrogates, nothing above U+10FFFF). Not a general UTF-8 library.

extension Parser {
    /// Parses the string whose opening quote is at `i` onto the end of `text` as unescaped UTF-8
    /// (making no String: keys are compared as bytes, and a value becomes a String only when it is
    /// read); leaves `i` past the closing quote. Returns whether the string is all ASCII.
    mutating func parseString() throws(JSONSyntaxError) -> Bool {
        let contentStart = i + 1
        var p = plainRun(from: contentStart)
        text.append(contentsOf: UnsafeBufferPointer(start: base + contentStart, count: p - contentStart))
        // Fast path: printable ASCII with no escapes, copied in one piece.
        if p < end && base[p] == UInt8(ascii: "\"") {
            i = p + 1
            return true
        }
        var ascii = true  // the plain run is ASCII; cleared by the first byte or escape that is not
        while true {
            guard p < end else { throw fail("unexpected end of input", at: end) }
            let c = base[p]
            if c == UInt8(ascii: "\"") {
                i = p + 1
                return ascii
            } else if c == UInt8(ascii: "\\") {
                let decoded = text.count
                p = try parseEscape(at: p)
                // A \u escape above U+007F decodes to 2–4 bytes, all ≥ 0x80.
                if text.count - decoded > 1 { ascii = false }
            } else if c < 0x20 {
                throw fail("unescaped control character U+00\(hex2(c)) in string", at: p)
            } else if c < 0x80 {
                text.append(c)
                p += 1
            } else {
                ascii = false
                let n = utf8SequenceLength(at: p)
                if n == 0 { throw fail("invalid UTF-8", at: p) }
                text.append(contentsOf: UnsafeBufferPointer(start: base + p, count: n))
                p += n
            }
        }
    }

    /// The end of the printable-ASCII run from `start` that needs no unescaping: the index of
    /// the first quote, backslash, control or non-ASCII byte (or `end`).
    private func plainRun(from start: Int) -> Int {
        var p = start
        // Whole words while they fit: the first special or non-ASCII byte is the lowest mark.
        while p + 8 <= end {
            let w = UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self)
            let marks = SpecialBytes.marks(w) | w & SpecialBytes.highBits
            if marks != 0 { return p + marks.trailingZeroBitCount / 8 }
            p += 8
        }
        while p < end {
            let c = base[p]
            if SpecialBytes.isSpecial(c) || c >= 0x80 { break }
            p += 1
        }
        return p
    }

    /// The escape at `p` (a backslash), decoded onto `text`; returns the index after it.
    private mutating func parseEscape(at p: Int) throws(JSONSyntaxError) -> Int {
        guard p + 1 < end else { throw fail("unexpected end of input", at: end) }
        let decoded: UInt8
        switch base[p + 1] {
        case UInt8(ascii: "\""): decoded = 0x22
        case UInt8(ascii: "\\"): decoded = 0x5C
        case UInt8(ascii: "/"): decoded = 0x2F
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            let unit = try hex4(at: p + 2)
            var scalar = unit
            var next = p + 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate (RFC 8259 §7).
                guard next + 1 < end && base[next] == UInt8(ascii: "\\") && base[next + 1] == UInt8(ascii: "u"),
                    case let low = try hex4(at: next + 2), low >= 0xDC00 && low <= 0xDFFF
                else {
                    throw fail("lone surrogate \\u\(hex2(UInt8(unit >> 8)))\(hex2(UInt8(unit & 0xFF))) in string", at: p)
                }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail("lone surrogate \\u\(hex2(UInt8(unit >> 8)))\(hex2(UInt8(unit & 0xFF))) in string", at: p)
            }
            appendUTF8(scalar)
            return next
        case let c:
            let shown = c >= 0x21 && c < 0x7F ? "\\\(Character(Unicode.Scalar(c)))" : "\\ followed by byte 0x\(hex2(c))"
            throw fail("invalid escape '\(shown)' in string", at: p)
        }
        text.append(decoded)
        return p + 2
    }

    private func hex4(at p: Int) throws(JSONSyntaxError) -> UInt32 {
        guard p + 4 <= end else { throw fail("unexpected end of input", at: end) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[p + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape: expected 4 hex digits", at: p - 2)
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private mutating func appendUTF8(_ s: UInt32) {
        switch s {
        case ..<0x80:
            text.append(UInt8(s))
        case ..<0x800:
            text.append(UInt8(0xC0 | s >> 6))
            text.append(UInt8(0x80 | s & 0x3F))
        case ..<0x10000:
            text.append(UInt8(0xE0 | s >> 12))
            text.append(UInt8(0x80 | s >> 6 & 0x3F))
            text.append(UInt8(0x80 | s & 0x3F))
        default:
            text.append(UInt8(0xF0 | s >> 18))
            text.append(UInt8(0x80 | s >> 12 & 0x3F))
            text.append(UInt8(0x80 | s >> 6 & 0x3F))
            text.append(UInt8(0x80 | s & 0x3F))
        }
    }

    /// Length of the well-formed multi-byte UTF-8 sequence at `p` (lead byte ≥ 0x80), or 0.
    private func utf8SequenceLength(at p: Int) -> Int {
        @inline(__always) func byte(_ k: Int) -> UInt8 { p + k < end ? base[p + k] : 0 }
        @inline(__always) func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
        let lead = base[p]
        switch lead {
        case 0xC2...0xDF:
            return isContinuation(byte(1)) ? 2 : 0
        case 0xE0...0xEF:
            let b1 = byte(1)
            let secondOK: Bool
            switch lead {
            case 0xE0: secondOK = (0xA0...0xBF).contains(b1)        // no overlongs
            case 0xED: secondOK = (0x80...0x9F).contains(b1)        // no UTF-16 surrogates
            default: secondOK = isContinuation(b1)
            }
            return secondOK && isContinuation(byte(2)) ? 3 : 0
        case 0xF0...0xF4:
            let b1 = byte(1)
            let secondOK: Bool
            switch lead {
            case 0xF0: secondOK = (0x90...0xBF).contains(b1)        // no overlongs
            case 0xF4: secondOK = (0x80...0x8F).contains(b1)        // nothing above U+10FFFF
            default: secondOK = isContinuation(b1)
            }
            return secondOK && isContinuation(byte(2)) && isContinuation(byte(3)) ? 4 : 0
        default:
            return 0                                                // 80–C1, F5–FF never lead
        }
    }
}
