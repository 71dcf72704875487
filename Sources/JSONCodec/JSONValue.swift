// JSONValue.swift — the JSON tree: a value enum and an insertion-ordered object, for code that wants
// a whole document as a value (tests, the fuzzer, JSONWriter.value). The service reads requests from
// the tape (JSONDocument) instead. Arrays of numbers are packed as [Double] (`.numbers`).
// Not a parser or printer (JSONReader, JSONWriter), and no Codable.

public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// A non-empty array whose elements are all numbers, stored packed. The reader always produces
    /// this form for such arrays; `.array` of `.number`s compares equal to it (see `==`).
    case numbers([Double])
    /// Any other array, including the empty one.
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue {
    /// The canonical array value: `.numbers` when `elements` is non-empty and all numbers.
    public static func makeArray(_ elements: [JSONValue]) -> JSONValue {
        guard !elements.isEmpty else { return .array([]) }
        var xs: [Double] = []
        xs.reserveCapacity(elements.count)
        for e in elements {
            guard case .number(let x) = e else { return .array(elements) }
            xs.append(x)
        }
        return .numbers(xs)
    }

    public var isNull: Bool { if case .null = self { true } else { false } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: Double? { if case .number(let x) = self { x } else { nil } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }

    /// The elements of any array (`.numbers` unpacked into `.number`s); nil for non-arrays.
    public var arrayValue: [JSONValue]? {
        switch self {
        case .array(let a): a
        case .numbers(let xs): xs.map(JSONValue.number)
        default: nil
        }
    }

    /// The array as doubles when every element is a number (the empty array gives []); else nil.
    public var doublesValue: [Double]? {
        switch self {
        case .numbers(let xs): return xs
        case .array(let a):
            var xs: [Double] = []
            xs.reserveCapacity(a.count)
            for e in a {
                guard case .number(let x) = e else { return nil }
                xs.append(x)
            }
            return xs
        default: return nil
        }
    }

    /// Member lookup on an object; nil for a missing key or a non-object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { o[key] } else { nil }
    }

    /// Element lookup on an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        switch self {
        case .array(let a): a.indices.contains(index) ? a[index] : nil
        case .numbers(let xs): xs.indices.contains(index) ? .number(xs[index]) : nil
        default: nil
        }
    }
}

extension JSONValue: Equatable {
    /// Structural equality. Numbers compare as Doubles (so 0 == -0, NaN ≠ NaN); `.numbers(xs)` equals
    /// `.array` of the same `.number`s; objects compare regardless of member order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.numbers(let a), .numbers(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.numbers(let xs), .array(let a)), (.array(let a), .numbers(let xs)):
            return xs.count == a.count && zip(xs, a).allSatisfy { x, e in e == .number(x) }
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .makeArray(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

/// A JSON object: members in insertion order. The reader guarantees unique keys; if you build one by
/// hand through `entries`, keeping keys unique is up to you (the subscript setter does).
/// Lookup is a linear scan: JSON objects are usually small; large data lives in arrays.
public struct JSONObject: Sendable {
    public var entries: [(key: String, value: JSONValue)]

    public init() { entries = [] }
    public init(_ entries: [(key: String, value: JSONValue)]) { self.entries = entries }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public var keys: [String] { entries.map(\.key) }

    /// Get: the value for `key`, or nil. Set: replaces in place, appends if new, removes on nil.
    public subscript(key: String) -> JSONValue? {
        get {
            for e in entries where e.key == key { return e.value }
            return nil
        }
        set {
            if let k = entries.firstIndex(where: { $0.key == key }) {
                if let v = newValue { entries[k].value = v } else { entries.remove(at: k) }
            } else if let v = newValue {
                entries.append((key: key, value: v))
            }
        }
    }
}

extension JSONObject: Equatable {
    /// Same set of keys with equal values; member order does not matter (RFC 8259 §4: objects are
    /// unordered). Assumes unique keys.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        for (k, e) in lhs.entries.enumerated() {
            // Same order is the common case: check the same position first.
            if rhs.entries[k].key == e.key {
                guard rhs.entries[k].value == e.value else { return false }
            } else {
                guard let v = rhs[e.key], v == e.value else { return false }
            }
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { (key: $0.0, value: $0.1) })
    }
}
