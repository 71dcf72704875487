// DocumentTests.swift — the tape (JSONDocument) read through JSONNode: kinds, scalars, elements,
// packed number arrays, member lookup, and member names compared exactly as Swift compares
// Strings (canonical equivalence), both for lookups and for the duplicate-key check.
import JSONCodec
import Testing

private func document(_ text: String) throws -> JSONNode {
    try JSONReader.parseDocument(Array(text.utf8)).root
}

@Suite struct DocumentTests {
    @Test func kindsAndScalars() throws {
        let root = try document(#"{"n": null, "t": true, "f": false, "x": -1.5, "s": "hi", "a": [], "o": {}}"#)
        #expect(root.kind == .object)
        #expect(root.count == 7)
        #expect(root.member("n")?.kind == .null)
        #expect(root.member("t")?.bool == true)
        #expect(root.member("f")?.bool == false)
        #expect(root.member("x")?.number == -1.5)
        #expect(root.member("s")?.string == "hi")
        #expect(root.member("a")?.kind == .array)
        #expect(root.member("a")?.count == 0)
        #expect(root.member("a")?.doubles == [])
        #expect(root.member("o")?.kind == .object)
        #expect(root.member("missing") == nil)
        // The wrong kind answers nil rather than a made-up value.
        #expect(root.member("s")?.number == nil)
        #expect(root.member("x")?.string == nil)
        #expect(root.member("x")?.member("n") == nil)
    }

    @Test func numberArraysArePackedAndMixedOnesAreNot() throws {
        let root = try document(#"{"v": [1, 2.5, -3e2], "m": [[1, 2], [3]], "mixed": [1, 2, "x", 3]}"#)
        let v = try #require(root.member("v"))
        #expect(v.isNumbers)
        #expect(v.doubles == [1, 2.5, -300])
        #expect(v.elements.map(\.number) == [1, 2.5, -300])
        let m = try #require(root.member("m"))
        #expect(!m.isNumbers)
        #expect(m.elements.map(\.doubles) == [[1, 2], [3]])
        let mixed = try #require(root.member("mixed"))
        #expect(!mixed.isNumbers)
        #expect(mixed.doubles == nil)
        #expect(mixed.elements.map(\.kind) == [.number, .number, .string, .number])
        #expect(Array(mixed.elements)[3].number == 3)
        // Anything but an array has no elements.
        #expect(Array(root.elements).isEmpty)
        let firstNumber = try #require(Array(v.elements).first)
        #expect(Array(firstNumber.elements).isEmpty)
    }

    @Test func subtreesAreSkippedWhenLookingUpLaterMembers() throws {
        let root = try document(#"{"deep": {"a": [[1], {"b": [2, {"c": 3}]}]}, "after": 7}"#)
        #expect(root.member("after")?.number == 7)
        #expect(root.members.map(\.key) == ["deep", "after"])
        #expect(root.member("deep")?.value == ["a": [[1], ["b": [2, ["c": 3]]]]])
    }

    @Test func escapedNamesAreFoundByTheirUnescapedText() throws {
        let root = try document(#"{"a\u0062": 1, "sl\/ash": 2, "caf\u00e9": 3}"#)
        #expect(root.member("ab")?.number == 1)
        #expect(root.member("sl/ash")?.number == 2)
        #expect(root.member("café")?.number == 3)
        // An escape that decodes above U+007F makes the name non-ASCII, so two escaped
        // spellings of é compare as Strings do (equal), not byte for byte.
        #expect(parseError(#"{"\u00e9": 1, "e\u0301": 2}"#)?.message == "duplicate key \"e\u{301}\"")
    }

    @Test func namesCompareAsSwiftStringsDo() throws {
        // U+212A KELVIN SIGN is canonically equivalent to "K", and "e" + U+0301 to "é": Swift's
        // String == says equal, so lookups find them and the reader calls them duplicates.
        let kelvin = try document("{\"\u{212A}\": 1, \"e\u{301}\": 2}")
        #expect(kelvin.member("K")?.number == 1)
        #expect(kelvin.member("é")?.number == 2)
        #expect(parseError(Array("{\"K\": 1, \"\u{212A}\": 2}".utf8))?.message == "duplicate key \"\u{212A}\"")
        #expect(parseError(Array("{\"\u{E9}\": 1, \"e\u{301}\": 2}".utf8))?.message == "duplicate key \"e\u{301}\"")
        // ASCII names that differ only in case or length stay distinct.
        let root = try document(#"{"key": 1, "Key": 2, "keys": 3}"#)
        #expect(root.member("key")?.number == 1)
        #expect(root.member("Key")?.number == 2)
        #expect(root.member("keys")?.number == 3)
    }

    @Test func duplicatesAreFoundInLargeObjectsToo() throws {
        // Past 16 members the check switches to a set of names; both paths must agree.
        let members = (0..<40).map { "\"k\($0)\": \($0)" }
        #expect(try document("{" + members.joined(separator: ",") + "}").member("k39")?.number == 39)
        let duplicated = "{" + (members + ["\"k7\": 0"]).joined(separator: ",") + "}"
        let error = try #require(parseError(Array(duplicated.utf8)))
        #expect(error.message == "duplicate key \"k7\"")
        let kelvinLate = "{" + (members + ["\"K\": 0", "\"\u{212A}\": 1"]).joined(separator: ",") + "}"
        #expect(parseError(Array(kelvinLate.utf8))?.message == "duplicate key \"\u{212A}\"")
    }

    @Test func aLargeObjectsNamesDoNotOutliveIt() throws {
        // The set of names belongs to the object's depth; a sibling at that depth starts afresh.
        let large = "{" + (0..<20).map { "\"k\($0)\": \($0)" }.joined(separator: ",") + "}"
        let root = try document("[" + large + "," + large + ", {\"k3\": {\"k3\": 1}}]")
        #expect(root.count == 3)
    }

    /// The name mask never says "absent" for a present name (it may say "maybe" for an absent one):
    /// every member's bit is set, and a name beyond ASCII sets them all.
    @Test func theNameMaskHasEveryMembersBit() throws {
        func bit(_ s: String) -> UInt64 { Array(s.utf8).withUnsafeBufferPointer { JSONNode.nameBit($0) } }
        let names = ["network", "input", "learningRate", "a", "", "steps", "optimizer"]
        let root = try document("{" + names.map { "\"\($0)\": 0" }.joined(separator: ",") + "}")
        for name in names { #expect(root.memberNameMask & bit(name) != 0, "\(name)") }
        #expect(root.memberNameMask.nonzeroBitCount <= names.count)
        #expect(try document("{\"\u{212A}\": 1}").memberNameMask == ~0)
        #expect(try document("[1]").memberNameMask == 0)
    }
}
