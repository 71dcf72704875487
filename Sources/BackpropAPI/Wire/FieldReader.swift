// Typed reads of request fields out of a parsed JSON value, each failure a 400 that points at the
// field with a JSON Pointer and says what type was expected and what was found.
// Not validation of meaning (shapes, names, domains): the core does that and answers 422.

import JSONCodec

/// A JSON value together with where it sits in the request.
struct Field {
    let value: JSONValue
    /// RFC 6901 pointer of this value ("" for the body itself).
    let pointer: String

    init(_ value: JSONValue, at pointer: String) {
        self.value = value
        self.pointer = pointer
    }

    // MARK: - Objects

    func object() throws(APIError) -> FieldObject {
        guard case .object(let o) = value else { throw mismatch("an object") }
        return FieldObject(object: o, pointer: pointer)
    }

    // MARK: - Scalars

    func number() throws(APIError) -> Double {
        guard case .number(let d) = value else { throw mismatch("a number") }
        return d
    }

    /// An integer: a JSON number with no fractional part, within ±(2⁵³ − 1) where doubles are exact.
    /// A fraction is the wrong type (400); a whole number past 2⁵³ − 1 is an integer, as JSON Schema
    /// counts them, so it is a value out of range (422), like any other index or size too large.
    func integer() throws(APIError) -> Int {
        let d = try number()
        guard d.rounded(.towardZero) == d else {
            throw APIError.badField(pointer, "expected an integer (a whole number), found \(d)")
        }
        guard abs(d) <= 9_007_199_254_740_991 else {
            throw APIError.badValue(pointer, "\(d) is out of range; integers here are at most 2^53 − 1 in magnitude")
        }
        return Int(d)
    }

    func string() throws(APIError) -> String {
        guard case .string(let s) = value else { throw mismatch("a string") }
        return s
    }

    func bool() throws(APIError) -> Bool {
        guard case .bool(let b) = value else { throw mismatch("true or false") }
        return b
    }

    // MARK: - Arrays

    /// A vector of numbers. An empty array is returned empty (the core says whether that is usable).
    func vector() throws(APIError) -> [Double] {
        switch value {
        case .numbers(let xs):
            return xs
        case .array(let items):
            // Only reached when the array is empty or holds something other than numbers.
            if let bad = items.firstIndex(where: { if case .number = $0 { false } else { true } }) {
                throw Field(items[bad], at: pointer + "/\(bad)").mismatch("a number")
            }
            return items.map { if case .number(let d) = $0 { d } else { 0 } }
        default:
            throw mismatch("an array of numbers")
        }
    }

    /// A matrix: an array of rows, each a vector of numbers. Raggedness is the core's to report.
    func matrix() throws(APIError) -> [[Double]] {
        guard case .array(let rows) = value else {
            if case .numbers = value { throw mismatch("an array of rows (arrays of numbers)", found: "an array of numbers") }
            throw mismatch("an array of rows (arrays of numbers)")
        }
        var out: [[Double]] = []
        out.reserveCapacity(rows.count)
        for (n, row) in rows.enumerated() {
            out.append(try Field(row, at: pointer + "/\(n)").vector())
        }
        return out
    }

    /// An array of arbitrary values, each with its pointer.
    func array() throws(APIError) -> [Field] {
        switch value {
        case .array(let items): return items.enumerated().map { Field($1, at: pointer + "/\($0)") }
        case .numbers(let xs): return xs.enumerated().map { Field(.number($1), at: pointer + "/\($0)") }
        default: throw mismatch("an array")
        }
    }

    // MARK: - Errors

    func mismatch(_ expected: String, found: String? = nil) -> APIError {
        APIError.badField(pointer, "expected \(expected), found \(found ?? value.kindDescription)")
    }
}

/// An object field: typed access to its members by key.
struct FieldObject {
    let object: JSONObject
    let pointer: String

    /// The member, or nil when the key is absent.
    subscript(_ key: String) -> Field? {
        object[key].map { Field($0, at: pointer + "/" + escapePointerToken(key)) }
    }

    /// The member, or a 400 saying it is required.
    func required(_ key: String, _ what: String) throws(APIError) -> Field {
        guard let f = self[key] else {
            throw APIError.badField(pointer + "/" + escapePointerToken(key), "required: \(what)")
        }
        return f
    }

    func has(_ key: String) -> Bool { object[key] != nil }
}

extension JSONValue {
    /// How a person names this kind of value in an error message.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let d): "the number \(d)"
        case .string(let s): s.count <= 40 ? "the string \"\(s)\"" : "a string"
        case .numbers: "an array of numbers"
        case .array(let a): a.isEmpty ? "an empty array" : "an array"
        case .object: "an object"
        }
    }
}
