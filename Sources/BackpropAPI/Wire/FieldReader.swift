// Typed reads of request fields out of a parsed JSON value, each failure a 400 that points at the
// field with a JSON Pointer and says what type was expected and what was found.
// Not validation of meaning (shapes, names, domains): the core does that and answers 422.
//
// Pointers are built only when something fails: an error is thrown with a pointer relative to
// the field that found it, and each level it passes through on the way out puts its own key or
// index in front (`at(_:)`). A valid request, the common case, builds no pointer strings at all.

import JSONCodec

/// A JSON value of the request. Where it sits is known to the caller, not to the value.
struct Field {
    let value: JSONValue

    init(_ value: JSONValue) { self.value = value }

    // MARK: - Objects

    func object() throws(APIError) -> FieldObject {
        guard case .object(let o) = value else { throw mismatch("an object") }
        return FieldObject(object: o)
    }

    // MARK: - Scalars

    func number() throws(APIError) -> Double {
        guard case .number(let d) = value else { throw mismatch("a number") }
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
                throw Field(items[bad]).mismatch("a number").at(index: bad)
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
            do { out.append(try Field(row).vector()) } catch { throw error.at(index: n) }
        }
        return out
    }

    /// Reads every element of an array with `read`, an error pointing at the element.
    func elements<T>(_ read: (Field) throws(APIError) -> T) throws(APIError) -> [T] {
        let items: [JSONValue]
        switch value {
        case .array(let a): items = a
        case .numbers(let xs): items = xs.map { .number($0) }
        default: throw mismatch("an array")
        }
        var out: [T] = []
        out.reserveCapacity(items.count)
        for (n, item) in items.enumerated() {
            do { out.append(try read(Field(item))) } catch { throw error.at(index: n) }
        }
        return out
    }

    // MARK: - Errors

    func mismatch(_ expected: String, found: String? = nil) -> APIError {
        APIError.badField("", "expected \(expected), found \(found ?? value.kindDescription)")
    }
}

/// An object field: typed access to its members by key.
struct FieldObject {
    let object: JSONObject

    func has(_ key: String) -> Bool { object[key] != nil }

    /// The member read with `read`, or nil when the key is absent.
    func optional<T>(_ key: String, _ read: (Field) throws(APIError) -> T) throws(APIError) -> T? {
        guard let v = object[key] else { return nil }
        do { return try read(Field(v)) } catch { throw error.at(key: key) }
    }

    /// The member read with `read`, or a 400 saying it is required and what it is.
    func required<T>(_ key: String, _ what: String, _ read: (Field) throws(APIError) -> T) throws(APIError) -> T {
        guard let v = try optional(key, read) else { throw missing(key, what) }
        return v
    }

    func missing(_ key: String, _ what: String) -> APIError {
        APIError.badField("/" + escapePointerToken(key), "required: \(what)")
    }
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
