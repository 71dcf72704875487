// ErrorTests.swift — every kind of malformed input is rejected with a specific message, the byte
// offset / line / column where it was found, and the JSON Pointer of the value being parsed.
import JSONCodec
import Testing

@Suite struct ErrorTests {
    func expectError(_ input: String, _ message: String, offset: Int, path: String,
                     limits: JSONReader.Limits = .init(), sourceLocation: SourceLocation = #_sourceLocation) {
        guard let e = parseError(input, limits: limits) else {
            Issue.record("parsed without error: \(input.prefix(80))", sourceLocation: sourceLocation)
            return
        }
        #expect(e.message == message, sourceLocation: sourceLocation)
        #expect(e.offset == offset, sourceLocation: sourceLocation)
        #expect(e.path == path, sourceLocation: sourceLocation)
    }

    @Test func deepNestingIsBoundedNotACrash() {
        let deep = String(repeating: "[", count: 10_000)
        expectError(deep, "nesting deeper than 64", offset: 64, path: "/0/0/0" + String(repeating: "/0", count: 61))
        expectError(String(repeating: "{\"a\":", count: 10_000), "nesting deeper than 64", offset: 5 * 64,
                    path: String(repeating: "/a", count: 64))
        // Exactly at the limit parses; the limit is configurable.
        #expect((try? parse(String(repeating: "[", count: 64) + String(repeating: "]", count: 64))) != nil)
        expectError(String(repeating: "[", count: 10_000), "nesting deeper than 3", offset: 3, path: "/0/0/0",
                    limits: .init(maxDepth: 3))
        // With a huge limit the explicit stack copes with 10 000 levels (truncated input, no recursion).
        expectError(deep, "unexpected end of input", offset: 10_000, path: String(repeating: "/0", count: 9_999),
                    limits: .init(maxDepth: 1_000_000))
    }

    @Test func duplicateKeys() {
        expectError(#"{"weights":[1],"bias":2,"weights":[3]}"#, "duplicate key \"weights\"", offset: 24, path: "/weights")
        expectError(#"{"net":{"a":1,"a":2}}"#, "duplicate key \"a\"", offset: 14, path: "/net/a")
        // Keys that only look alike after escape decoding are the same key.
        expectError(#"{"a":1,"\u0061":2}"#, "duplicate key \"a\"", offset: 7, path: "/a")
        // Large objects switch to a hash set; still caught.
        let members = (0..<100).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        expectError("{" + members + ",\"k42\":0}", "duplicate key \"k42\"", offset: members.utf8.count + 2, path: "/k42")
    }

    @Test func nanAndInfinityLiterals() {
        expectError("NaN", "NaN and Infinity are not valid JSON numbers", offset: 0, path: "")
        expectError("[1,Infinity]", "NaN and Infinity are not valid JSON numbers", offset: 3, path: "/1")
        expectError(#"{"x":-Infinity}"#, "NaN and Infinity are not valid JSON numbers", offset: 5, path: "/x")
        expectError("[nan]", "invalid literal, expected 'null'", offset: 1, path: "/0")
    }

    @Test func numbersOutOfRange() {
        expectError("1e999", "number out of float64 range", offset: 0, path: "")
        expectError("[0.5,-1e999]", "number out of float64 range", offset: 5, path: "/1")
        expectError(#"{"w":[1,2,1.8e308]}"#, "number out of float64 range", offset: 10, path: "/w/2")
        // Underflow is not an error: it rounds to zero (or a subnormal), as strtod does.
        #expect((try? parse("1e-999"))?.numberValue == 0)
    }

    @Test func malformedNumbers() {
        expectError("[01]", "leading zeros are not allowed", offset: 1, path: "/0")
        expectError("-01", "leading zeros are not allowed", offset: 0, path: "")
        expectError("[1.]", "expected a digit after the decimal point", offset: 3, path: "/0")
        expectError("[.5]", "unexpected character '.', expected a value", offset: 1, path: "/0")
        expectError("[1e]", "expected a digit in the exponent", offset: 3, path: "/0")
        expectError("[1e+", "unexpected end of input", offset: 4, path: "/0")
        expectError("[-]", "expected a digit after '-'", offset: 2, path: "/0")
        expectError("+1", "unexpected character '+', expected a value", offset: 0, path: "")
        expectError("[1, 0x10]", "expected ',' or ']' after array element", offset: 5, path: "")
        expectError("1" + String(repeating: "0", count: 5000), "number longer than 4096 characters", offset: 0, path: "")
    }

    @Test func truncatedInput() {
        expectError("", "unexpected end of input", offset: 0, path: "")
        expectError("   ", "unexpected end of input", offset: 3, path: "")
        expectError("[1, 2", "unexpected end of input", offset: 5, path: "")
        expectError("[1, 2,", "unexpected end of input", offset: 6, path: "/2")
        expectError(#"{"a":"#, "unexpected end of input", offset: 5, path: "/a")
        expectError(#"{"a""#, "unexpected end of input", offset: 4, path: "/a")
        expectError(#"{"a"#, "unexpected end of input", offset: 3, path: "")
        expectError(#"["abc"#, "unexpected end of input", offset: 5, path: "/0")
        expectError("[tru", "unexpected end of input", offset: 4, path: "/0")
        expectError(#"["\u12"#, "unexpected end of input", offset: 6, path: "/0")
    }

    @Test func trailingCommasAndGarbage() {
        expectError("[1,2,]", "trailing comma before ']'", offset: 5, path: "")
        expectError(#"[{"a":1,}]"#, "trailing comma before '}'", offset: 8, path: "/0")
        expectError(#"["x",]"#, "trailing comma before ']'", offset: 5, path: "")
        expectError("[1,,2]", "unexpected character ',', expected a value", offset: 3, path: "/1")
        expectError("[1] x", "unexpected data after the top-level value", offset: 4, path: "")
        expectError("1 2", "unexpected data after the top-level value", offset: 2, path: "")
        expectError("{}{}", "unexpected data after the top-level value", offset: 2, path: "")
        expectError("truex", "unexpected data after the top-level value", offset: 4, path: "")
        expectError("[1 2]", "expected ',' or ']' after array element", offset: 3, path: "")
        expectError(#"{"a":1 "b":2}"#, "expected ',' or '}' after object member", offset: 7, path: "")
        expectError(#"{"a" 1}"#, "unexpected character '1', expected ':' after object key", offset: 5, path: "/a")
        expectError("{a:1}", "unexpected character 'a', expected '\"' to begin an object key", offset: 1, path: "")
        expectError("[1]]", "unexpected data after the top-level value", offset: 3, path: "")
        expectError("]", "unexpected ']', expected a value", offset: 0, path: "")
        expectError("/* c */ 1", "unexpected character '/', expected a value", offset: 0, path: "")
        expectError("\u{FEFF}1", "unexpected byte 0xEF, expected a value", offset: 0, path: "")
    }

    @Test func invalidUTF8() {
        let cases: [[UInt8]] = [
            [0xC3],                   // truncated 2-byte sequence
            [0xC0, 0xAF],             // overlong "/"
            [0xE0, 0x80, 0xAF],       // overlong
            [0xED, 0xA0, 0x80],       // UTF-8-encoded surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
            [0xFF],
            [0x80],                   // lone continuation byte
        ]
        for bad in cases {
            let input = Array(#"{"k":"ab"#.utf8) + bad + Array(#""}"#.utf8)
            let e = parseError(input)
            #expect(e?.message == "invalid UTF-8", "\(bad)")
            #expect(e?.offset == 8)
            #expect(e?.path == "/k")
        }
        // In a key the path names the object, since the key is not known yet.
        let e = parseError(Array(#"{"a":{"x"#.utf8) + [0xFF] + Array(#"":1}}"#.utf8))
        #expect(e?.message == "invalid UTF-8")
        #expect(e?.path == "/a")
        // Valid multi-byte text passes.
        #expect((try? parse("\"é€😀\""))?.stringValue == "é€😀")
    }

    @Test func badStrings() {
        expectError(#"["\ud800"]"#, "lone surrogate \\uD800 in string", offset: 2, path: "/0")
        expectError(#"["\udc00x"]"#, "lone surrogate \\uDC00 in string", offset: 2, path: "/0")
        expectError(#"["\ud800\u0041"]"#, "lone surrogate \\uD800 in string", offset: 2, path: "/0")
        expectError(#"["a\x"]"#, "invalid escape '\\x' in string", offset: 3, path: "/0")
        expectError(#"["\u12G4"]"#, "invalid \\u escape: expected 4 hex digits", offset: 2, path: "/0")
        expectError("[\"a\nb\"]", "unescaped control character U+000A in string", offset: 3, path: "/0")
        expectError("[\"\t\"]", "unescaped control character U+0009 in string", offset: 2, path: "/0")
        expectError("'a'", "unexpected character ''', expected a value", offset: 0, path: "")
    }

    @Test func pathsEscapeAndNest() {
        // RFC 6901: "~" → "~0", "/" → "~1".
        expectError(#"{"a/b":{"m~n":[0,1,tru]}}"#, "invalid literal, expected 'true'", offset: 19, path: "/a~1b/m~0n/2")
        expectError(#"{"network":{"layers":[{"weights":[0.1,0.2,0.3,01]}]}}"#, "leading zeros are not allowed",
                    offset: 46, path: "/network/layers/0/weights/3")
        expectError(#"[[1,2],[3,"x",[]],{"k":[true,nul]}]"#, "invalid literal, expected 'null'", offset: 29, path: "/2/k/1")
    }

    @Test func lineAndColumn() {
        let e = parseError("{\n  \"a\": 1,\n  \"é\": [1,\n   2,,]\n}")
        #expect(e?.message == "unexpected character ',', expected a value")
        #expect(e?.line == 4)
        #expect(e?.column == 6)
        #expect(e?.path == "/é/2")
        let first = parseError("x")
        #expect(first?.line == 1 && first?.column == 1 && first?.offset == 0)
        #expect(first?.description == "line 1, column 1 (byte 0): unexpected character 'x', expected a value at the top level")
    }

    @Test func sizeLimit() {
        expectError("[1,2,3]", "input larger than 4 bytes", offset: 4, path: "", limits: .init(maxBytes: 4))
        #expect((try? parse("[1,2,3]", limits: .init(maxBytes: 7))) != nil)
    }
}
