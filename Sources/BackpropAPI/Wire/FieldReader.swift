// Typed reads of request fields out of a parsed JSON value, each failure a 400 that points at the
// field with a JSON Pointer and says what type was expected and what was found.
// Not validation of meaning (shapes, names, domains): the core does that and answers 422.
//
// Pointers are built only when something fails: an error is thrown with a pointer relative to
// the field that found it, and each level it passes through on the way out puts its own key or
// index in front (`at(_:)`). A valid request, the common case, builds no pointer strings at all.

import JSONCodec

/// A JSON value of the request, read from the parsed document's tape. Where it sits is known to
/// the caller, not to the value.
struct Field {
    let node: JSONNode

    init(_ node: JSONNode) { self.node = node }

    // MARK: - Objects

    func object() throws(APIError) -> FieldObject {
        guard node.kind == .object else { throw mismatch("an object") }
        return FieldObject(node: node)
    }

    // MARK: - Scalars

    func number() throws(APIError) -> Double {
        guard let d = node.number else { throw mismatch("a number") }
        return d
    }

    /// An integer: a JSON number with no fractional part (400 otherwise); one beyond ±(2⁵³ − 1),
    /// where doubles stop being exact, is a valid JSON integer we cannot use (422).
    func integer() throws(APIError) -> Int {
        let d = try number()
        guard d.rounded(.towardZero) == d else {
            throw APIError.badField("", "expected an integer (a whole number), found \(d)")
        }
        guard abs(d) <= 9_007_199_254_740_991 else {
            throw APIError.badValue("", "\(d) is out of range; integers here are at most 2^53 − 1 in magnitude")
        }
        return Int(d)
    }

    func string() throws(APIError) -> String {
        guard let s = node.string else { throw mismatch("a string") }
        return s
    }

    func bool() throws(APIError) -> Bool {
        guard let b = node.bool else { throw mismatch("true or false") }
        return b
    }

    // MARK: - Arrays

    /// A vector of numbers. An empty array is returned empty (the core says whether that is usable).
    func vector() throws(APIError) -> [Double] {
        if let xs = node.doubles { return xs }
        guard node.kind == .array else { throw mismatch("an array of numbers") }
        // An array holding something other than numbers: point at the first such element.
        let items = Array(node.elements)
        let bad = items.firstIndex { $0.kind != .number } ?? 0
        throw Field(items[bad]).mismatch("a number").at(index: bad)
    }

    /// A matrix: an array of rows, each a vector of numbers. Raggedness is the core's to report.
    func matrix() throws(APIError) -> [[Double]] {
        guard node.kind == .array, !node.isNumbers else { throw mismatch("an array of rows (arrays of numbers)") }
        return try elements { row throws(APIError) in try row.vector() }
    }

    /// Reads every element of an array with `read`, an error pointing at the element.
    func elements<T>(_ read: (Field) throws(APIError) -> T) throws(APIError) -> [T] {
        guard node.kind == .array else { throw mismatch("an array") }
        var out: [T] = []
        out.reserveCapacity(node.count)
        for (n, item) in node.elements.enumerated() {
            do { out.append(try read(Field(item))) } catch { throw error.at(index: n) }
        }
        return out
    }

    // MARK: - Errors

    func mismatch(_ expected: String) -> APIError {
        APIError.badField("", "expected \(expected), found \(node.kindDescription)")
    }
}

/// An object field: typed access to its members by key. Keys are the names the service reads,
/// always literals: StaticStrings, so a lookup compares bytes and builds no String.
struct FieldObject {
    let node: JSONNode

    func has(_ key: StaticString) -> Bool { node.member(key) != nil }

    /// The member read with `read`, or nil when the key is absent.
    func optional<T>(_ key: StaticString, _ read: (Field) throws(APIError) -> T) throws(APIError) -> T? {
        guard let v = node.member(key) else { return nil }
        do { return try read(Field(v)) } catch { throw error.at(key: key.description) }
    }

    /// The member read with `read`, or a 400 saying it is required and what it is.
    func required<T>(_ key: StaticString, _ what: String, _ read: (Field) throws(APIError) -> T) throws(APIError) -> T {
        guard let v = try optional(key, read) else { throw missing(key, what) }
        return v
    }

    func missing(_ key: StaticString, _ what: String) -> APIError {
        APIError.badField("/" + escapePointerToken(key.description), "required: \(what)")
    }
}

extension JSONNode {
    /// How a person names this kind of value in an error message.
    var kindDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "\(bool!)"
        case .number: "the number \(number!)"
        case .string: string!.count <= 40 ? "the string \"\(string!)\"" : "a string"
        case .array: isNumbers ? "an array of numbers" : count == 0 ? "an empty array" : "an array"
        case .object: "an object"
        }
    }
}
