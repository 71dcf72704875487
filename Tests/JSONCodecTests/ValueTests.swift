// ValueTests.swift — what the reader builds (shapes, strings, escapes, canonical `.numbers`), the
// JSONValue/JSONObject API, and the writer's structure, commas and string escaping.
import JSONCodec
import Testing

@Suite struct ReaderShapeTests {
    @Test func scalarsAtTopLevelWithWhitespace() throws {
        #expect(try parse(" \t\r\n null \n") == .null)
        #expect(try parse("true") == .bool(true))
        #expect(try parse("false") == .bool(false))
        #expect(try parse("\"hi\"") == .string("hi"))
        #expect(try parse("-12.5e-1") == .number(-1.25))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object(JSONObject()))
        #expect(try parse("[ ]") == .array([]))
        #expect(try parse("{ }") == .object(JSONObject()))
    }

    @Test func numberArraysArePacked() throws {
        guard case .numbers(let xs) = try parse("[1, -2.5 ,3e2\n,0]") else {
            Issue.record("expected .numbers")
            return
        }
        #expect(xs == [1, -2.5, 300, 0])
        // Nested rows each packed; a mixed array is not.
        let m = try parse("[[1,2],[3,4],[]]")
        guard case .array(let rows) = m, rows.count == 3, case .numbers([1, 2]) = rows[0],
              case .numbers([3, 4]) = rows[1], case .array([]) = rows[2] else {
            Issue.record("unexpected shape \(m)")
            return
        }
        guard case .array(let mixed) = try parse("[1, 2, \"x\", 3]") else {
            Issue.record("expected .array")
            return
        }
        #expect(mixed == [.number(1), .number(2), .string("x"), .number(3)])
        guard case .array(let mixed2) = try parse("[\"x\", 1]") else {
            Issue.record("expected .array")
            return
        }
        #expect(mixed2 == [.string("x"), .number(1)])
        // .numbers and an .array of .numbers are equal values.
        #expect(JSONValue.numbers([1, 2]) == .array([.number(1), .number(2)]))
        #expect(JSONValue.numbers([1, 2]) != .array([.number(1), .number(3)]))
    }

    @Test func objectsKeepOrderAndLookUp() throws {
        let v = try parse(#"{"b":1,"a":{"c":[true,null]},"":"empty key"}"#)
        guard case .object(let o) = v else {
            Issue.record("expected object")
            return
        }
        #expect(o.keys == ["b", "a", ""])
        #expect(o["b"] == .number(1))
        #expect(v["a"]?["c"]?[0] == .bool(true))
        #expect(v["a"]?["c"]?[1] == .null)
        #expect(v[""] == .string("empty key"))
        #expect(v["zzz"] == nil)
        // Equality ignores member order.
        #expect(try parse(#"{"x":1,"y":2}"#) == parse(#"{"y":2,"x":1}"#))
        #expect(try parse(#"{"x":1,"y":2}"#) != parse(#"{"x":1,"y":3}"#))
        #expect(try parse(#"{"x":1}"#) != parse(#"{"x":1,"y":3}"#))
    }

    @Test func stringEscapes() throws {
        #expect(try parse(#""\"\\\/\b\f\n\r\t""#) == .string("\"\\/\u{08}\u{0C}\n\r\t"))
        #expect(try parse(#""\u0041\u00e9\u20AC\ud83d\ude00\u0000""#) == .string("Aé€😀\u{0}"))
        #expect(try parse(#""plain ascii""#) == .string("plain ascii"))
        #expect(try parse("\"raw é and 😀 and \u{7F}\"") == .string("raw é and 😀 and \u{7F}"))
        #expect(try parse(#"{"k\u00e9y":1}"#)["kéy"] == .number(1))
    }

    @Test func emptyUnsafeBufferIsAnError() {
        let e: JSONSyntaxError? = {
            do throws(JSONSyntaxError) {
                _ = try JSONReader.parse(UnsafeRawBufferPointer(start: nil, count: 0))
                return nil
            } catch { return error }
        }()
        #expect(e?.message == "unexpected end of input")
    }

    @Test func valueAccessors() {
        let v: JSONValue = ["xs": [1.5, 2], "s": "t", "b": false, "n": .null, "o": ["k": 1], "mixed": [1, "a"]]
        #expect(v["xs"]?.doublesValue == [1.5, 2])
        #expect(v["xs"]?.arrayValue == [.number(1.5), .number(2)])
        #expect(v["mixed"]?.doublesValue == nil)
        #expect(JSONValue.array([]).doublesValue == [])
        #expect(v["s"]?.stringValue == "t")
        #expect(v["b"]?.boolValue == false)
        #expect(v["n"]?.isNull == true)
        #expect(v["o"]?.objectValue?["k"]?.numberValue == 1)
        #expect(v["xs"]?[5] == nil)
        var o = JSONObject()
        o["a"] = 1
        o["b"] = 2
        o["a"] = 3
        #expect(o.entries.map(\.key) == ["a", "b"])
        #expect(o["a"] == .number(3))
        o["a"] = nil
        #expect(o.keys == ["b"])
    }
}

@Suite struct WriterTests {
    @Test func structureAndCommas() {
        var w = JSONWriter()
        w.beginObject()
        w.key("a")
        w.number(1)
        w.key("b")
        w.beginArray()
        w.bool(true)
        w.null()
        w.beginObject()
        w.endObject()
        w.beginArray()
        w.endArray()
        w.string("s")
        w.numbers([0.5, -2])
        w.numbers([Double]())
        w.numbers([1.0, 2, 3][1...])
        w.numbers((1...3).lazy.map { Double($0) * 0.1 })   // not contiguous: the generic path
        w.endArray()
        w.key("c")
        w.value(["x": [1, 2], "y": [], "z": ["q", 1e-7]])
        w.endObject()
        #expect(text(w.bytes) == #"{"a":1.0,"b":[true,null,{},[],"s",[0.5,-2.0],[],[2.0,3.0],[0.1,0.2,0.30000000000000004]],"c":{"x":[1.0,2.0],"y":[],"z":["q",1e-07]}}"#)
        #expect((try? JSONReader.parse(w.bytes)) != nil)
    }

    @Test func numberFormats() {
        let cases: [(Double, String)] = [
            (0, "0.0"), (-0.0, "-0.0"), (1, "1.0"), (0.1, "0.1"), (1e-7, "1e-07"), (1e16, "1e+16"),
            (.leastNonzeroMagnitude, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"), (0.48000000000000004, "0.48000000000000004"),
            (123456.789, "123456.789"), (-2.2250738585072014e-308, "-2.2250738585072014e-308"),
        ]
        for (x, s) in cases {
            var w = JSONWriter()
            w.number(x)
            #expect(text(w.bytes) == s)
        }
    }

    @Test func stringEscaping() throws {
        let s = "q\" b\\ / \u{08}\u{0C}\n\r\t \u{0}\u{1F}\u{7F} é 😀 \u{2028}"
        var w = JSONWriter()
        w.string(s)
        #expect(text(w.bytes) == "\"q\\\" b\\\\ / \\b\\f\\n\\r\\t \\u0000\\u001F\u{7F} é 😀 \u{2028}\"")
        #expect(try JSONReader.parse(w.bytes) == .string(s))
        var k = JSONWriter()
        k.beginObject()
        k.key("a\"b")
        k.string("")
        k.endObject()
        #expect(text(k.bytes) == #"{"a\"b":""}"#)
    }

    /// Plain text is checked 8 bytes at a time: a byte to escape must be found in any position
    /// of a word or of the tail after the last whole word, and bytes near the limits must not be.
    @Test func escapingInEveryPosition() throws {
        let escapes: [(Character, String)] = [("\"", "\\\""), ("\\", "\\\\"), ("\n", "\\n"), ("\u{1F}", "\\u001F"), ("\u{0}", "\\u0000")]
        let plain: [Character] = [" ", "!", "#", "[", "]", "\u{7F}", "é", "😀"]
        for length in 1...19 {
            for position in 0..<length {
                for (c, escaped) in escapes {
                    var s = String(repeating: "a", count: length)
                    s.replaceSubrange(s.index(s.startIndex, offsetBy: position)...s.index(s.startIndex, offsetBy: position), with: String(c))
                    var w = JSONWriter()
                    w.string(s)
                    #expect(text(w.bytes) == "\"" + s.map { $0 == c ? escaped : String($0) }.joined() + "\"")
                }
                for c in plain {
                    let s = String(repeating: "a", count: position) + String(c) + String(repeating: "b", count: length - position)
                    var w = JSONWriter()
                    w.string(s)
                    #expect(text(w.bytes) == "\"" + s + "\"")
                }
            }
        }
    }

    /// The reader also scans plain text 8 bytes at a time: an escape, a raw non-ASCII character
    /// a raw control or invalid UTF-8 must be noticed in any position of a word or of the tail.
    @Test func readingSpecialBytesInEveryPosition() throws {
        for length in 1...19 {
            for position in 0..<length {
                let before = String(repeating: "a", count: position), after = String(repeating: "b", count: length - position - 1)
                for (raw, value) in [(#"\n"#, "\n"), (#"\""#, "\""), (#"\\"#, "\\"), (#"\u00e9"#, "é"), ("é", "é"), ("😀", "😀"), ("\u{7F}", "\u{7F}")] {
                    #expect(try parse("[\"" + before + raw + after + "\", 1]") == .array([.string(before + value + after), .number(1)]))
                    #expect(try parse("{\"" + before + raw + after + "\": 1}")[before + value + after] == .number(1))
                }
                let error = parseError("[\"" + before + "\u{1}" + after + "\"]")
                #expect(error?.message == "unescaped control character U+0001 in string")
                #expect(error?.offset == 2 + position)
                let invalid = parseError(Array(("[\"" + before).utf8) + [0xFF] + Array((after + "\"]").utf8))
                #expect(invalid?.message == "invalid UTF-8")
                #expect(invalid?.offset == 2 + position)
            }
        }
    }

    /// The smallest scratch (64 bytes) flushes every few numbers and sends long strings straight
    /// to the output: the text must be the same as with one flush at the end.
    @Test func flushingKeepsTheText() {
        var g = SplitMix64(seed: 0xF1)
        let xs = (0..<500).map { _ in randomFiniteDouble(using: &g) }
        let long = String(repeating: "long \"quoted\" text ", count: 10)
        var w = JSONWriter(reservingCapacity: 1)
        w.beginObject()
        w.key("xs")
        w.numbers(xs)
        w.key(long)
        w.string(long)
        w.key("x")
        w.number(xs[0])
        w.endObject()
        let escaped = String(repeating: #"long \"quoted\" text "#, count: 10)
        let expected = "{\"xs\":[" + xs.map(\.description).joined(separator: ",") + "],"
            + "\"\(escaped)\":\"\(escaped)\",\"x\":\(xs[0].description)}"
        #expect(text(w.takeBytes()) == expected)
    }

    @Test func encodeAndTake() {
        #expect(text(JSONWriter.encode(.null)) == "null")
        #expect(text(JSONWriter.encode([true, false, "x"])) == #"[true,false,"x"]"#)
        var w = JSONWriter()
        w.numbers(UnsafeBufferPointer<Double>(start: nil, count: 0))
        #expect(w.takeBytes() == Array("[]".utf8))
        #expect(w.bytes.isEmpty)
    }
}
