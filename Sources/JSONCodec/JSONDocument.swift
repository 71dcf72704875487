// JSONDocument.swift — a parsed document as a flat tape: one entry per value in document order,
// containers knowing where they end, arrays of numbers packed into one pool of doubles, member
// names and string values as raw UTF-8 in one buffer. Reading a request from it costs a few
// allocations in total instead of one per value, and the tree (JSONValue) is still one call away. Not a parser (JSONReader) or a writer.

internal import Glibc  // memcmp

/// The result of `JSONReader.parseDocument`: immutable, shared by the nodes that view it.
/// (Sendable by hand: its buffers are raw memory, written only before `init` and freed by `deinit`.)
public final class JSONDocument: @unchecked Sendable {
    /// One value of the document. Containers come before their contents; `payload` says where
    /// they end, so a reader can skip a whole subtree in one step.
    struct Entry {
        enum Kind: UInt8 {
            case null, bool, number
            /// `count` bytes of UTF-8 from `text[payload]` on.
            case string
            /// An object member's name, `count` bytes of UTF-8 from `text[payload]` on; its
            /// value is the next entry.
            case key
            /// The same for a name with bytes beyond ASCII (compared as Strings, see `names`).
            case nonASCIIKey
            /// A non-empty array of numbers only: `count` doubles from `numbers[payload]` on.
            case numbers
            /// Any other array: `count` elements follow, up to the entry at index `payload`.
            case array
            /// An object: `count` key/value pairs follow, up to the entry at index `payload`.
            case object
        }

        var kind: Kind
        var count: Int = 0
        /// bool: 0 or 1; number: the bit pattern; string, keys: index into `text`; numbers: index
        /// into `numbers`; array, object: index of the first entry after it.
        var payload: UInt64 = 0

        /// The index just past this entry, at index `k`, and everything it contains.
        func end(at k: Int) -> Int {
            kind == .array || kind == .object ? Int(payload) : k + 1
        }

        /// A string's or key's text, decoded from its bytes in `text`.
        func string(in text: UnsafeBufferPointer<UInt8>) -> String {
            String(decoding: UnsafeBufferPointer(rebasing: text[Int(payload) ..< Int(payload) + count]), as: UTF8.self)
        }

        /// Whether this key names `wanted`, as Swift's String == would decide (canonical
        /// equivalence: "\u{212A}" == "K"). Two ASCII names are equivalent only when their bytes
        /// are equal, so the common case is a length check and a byte comparison; Swift's own ==
        /// takes a slow normalizing path for every pair of small strings that differ, and a lookup
        /// compares the wanted name with every other member's first.
        func names(_ wanted: UnsafeBufferPointer<UInt8>, isASCII wantedIsASCII: Bool, in text: UnsafeBufferPointer<UInt8>) -> Bool {
            guard kind == .key && wantedIsASCII else {
                return string(in: text) == String(decoding: wanted, as: UTF8.self)
            }
            return count == wanted.count && (count == 0 || memcmp(text.baseAddress! + Int(payload), wanted.baseAddress!, count) == 0)
        }
    }

    /// Filled by the parser, which hands the buffers over: the document frees them.
    let entries: GrowingBuffer<Entry>
    let numbers: GrowingBuffer<Double>
    /// Member names and string values, as raw UTF-8 (already validated and unescaped): looking a
    /// member up compares bytes, and a String is made only for a value that is read.
    let text: GrowingBuffer<UInt8>

    init(entries: GrowingBuffer<Entry>, numbers: GrowingBuffer<Double>, text: GrowingBuffer<UInt8>) {
        self.entries = entries
        self.numbers = numbers
        self.text = text
    }

    deinit {
        entries.deallocate()
        numbers.deallocate()
        text.deallocate()
    }

    /// The top-level value.
    public var root: JSONNode { JSONNode(document: self, index: 0, pooled: false) }

    /// The text of the string or key entry `k`.
    func string(at k: Int) -> String {
        entries[k].string(in: text.elements)
    }

    /// The index just past entry `k` and everything it contains.
    func end(of k: Int) -> Int { entries[k].end(at: k) }

    /// The key entry of the member of the object at `object` that is called `wanted`, or nil. A
    /// linear scan over the members: objects here are small.
    func memberKey(_ wanted: UnsafeBufferPointer<UInt8>, isASCII: Bool, inObjectAt object: Int) -> Int? {
        let names = text.elements
        var k = object + 1
        for _ in 0..<entries[object].count {
            if entries[k].names(wanted, isASCII: isASCII, in: names) { return k }
            k = end(of: k + 1)
        }
        return nil
    }

    /// The `count` pooled numbers from `start` on, in place: valid while the document lives.
    func pooledNumbers(from start: Int, count: Int) -> UnsafeBufferPointer<Double> {
        UnsafeBufferPointer(start: numbers.base + start, count: count)
    }
}

/// One value of a JSONDocument: what it is, and its scalar, elements or members.
public struct JSONNode: Sendable {
    public enum Kind: Sendable, Equatable { case null, bool, number, string, array, object }

    public let document: JSONDocument
    /// An entry of the tape, or (when `pooled`) a number in the pool of a `.numbers` array.
    let index: Int
    let pooled: Bool

    private var entry: JSONDocument.Entry { document.entries[index] }

    public var kind: Kind {
        if pooled { return .number }
        switch entry.kind {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string, .key, .nonASCIIKey: return .string
        case .numbers, .array: return .array
        case .object: return .object
        }
    }

    public var bool: Bool? { !pooled && entry.kind == .bool ? entry.payload != 0 : nil }

    public var number: Double? {
        if pooled { return document.numbers[index] }
        return entry.kind == .number ? Double(bitPattern: entry.payload) : nil
    }

    public var string: String? { !pooled && entry.kind == .string ? document.string(at: index) : nil }

    /// Elements of an array, members of an object; 0 for anything else.
    public var count: Int {
        if pooled { return 0 }
        switch entry.kind {
        case .numbers, .array, .object: return entry.count
        default: return 0
        }
    }

    /// True for a non-empty array whose elements are all numbers (stored packed).
    public var isNumbers: Bool { !pooled && entry.kind == .numbers }

    /// The array as doubles when every element is a number (the empty array gives []); else nil.
    /// One allocation and a copy: the numbers are already packed in the document.
    public var doubles: [Double]? {
        guard let xs = packedNumbers else { return nil }
        return Array(xs)
    }

    /// The length of `doubles`, without making it.
    public var numberCount: Int? { packedNumbers?.count }

    /// Appends what `doubles` holds to `out` (nothing when it is nil): for a matrix read row by
    /// row, one array for all rows instead of one more per row.
    public func appendNumbers(to out: inout [Double]) {
        if let xs = packedNumbers { out.append(contentsOf: xs) }
    }

    /// The numbers of an array whose elements are all numbers, where the document keeps them (an
    /// empty buffer for the empty array); nil for anything else. What the three above read, used
    /// at once while `document` holds the pool.
    @inline(__always)
    private var packedNumbers: UnsafeBufferPointer<Double>? {
        if pooled { return nil }
        let e = entry
        switch e.kind {
        case .numbers: return document.pooledNumbers(from: Int(e.payload), count: e.count)
        case .array where e.count == 0: return UnsafeBufferPointer(start: nil, count: 0)
        default: return nil
        }
    }

    /// The elements of an array, in order; none for anything else. A sequence, not an array:
    /// reading a request walks the tape without building a list of nodes first.
    public var elements: Elements { Elements(of: self) }

    public struct Elements: Sequence, IteratorProtocol {
        let document: JSONDocument
        let pooled: Bool
        /// The tape (or pool) index of the element `next()` returns.
        var position: Int
        var remaining: Int

        init(of node: JSONNode) {
            document = node.document
            let e = node.pooled ? nil : node.document.entries[node.index]
            switch e?.kind {
            case .numbers?: (pooled, position, remaining) = (true, Int(e!.payload), e!.count)
            case .array?: (pooled, position, remaining) = (false, node.index + 1, e!.count)
            default: (pooled, position, remaining) = (false, 0, 0)
            }
        }

        public mutating func next() -> JSONNode? {
            guard remaining > 0 else { return nil }
            remaining -= 1
            let node = JSONNode(document: document, index: position, pooled: pooled)
            position = pooled ? position + 1 : document.end(of: position)
            return node
        }
    }

    /// The value of the member called `key` (compared as Swift Strings are), or nil when this is
    /// not an object or has no such member. A linear scan: objects here are small.
    public func member(_ key: StaticString) -> JSONNode? {
        guard !pooled, entry.kind == .object else { return nil }
        let wanted = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        guard let k = document.memberKey(wanted, isASCII: key.isASCII, inObjectAt: index) else { return nil }
        return JSONNode(document: document, index: k + 1, pooled: false)
    }

    /// A 64-bit summary of this object's member names, for skipping lookups of absent names:
    /// each name sets `nameBit(name)`; a name whose bit is clear is not a member. An object with a
    /// name beyond ASCII (compared by canonical equivalence, not bytes) sets every bit. 0 for
    /// anything but an object.
    public var memberNameMask: UInt64 {
        guard !pooled, entry.kind == .object else { return 0 }
        let names = document.text.elements
        var mask: UInt64 = 0
        var k = index + 1
        for _ in 0..<entry.count {
            let key = document.entries[k]
            if key.kind != .key { return ~0 }
            mask |= Self.nameBit(UnsafeBufferPointer(rebasing: names[Int(key.payload) ..< Int(key.payload) + key.count]))
            k = document.end(of: k + 1)
        }
        return mask
    }

    /// The bit of `memberNameMask` a name sets: from its length and its first and last bytes.
    @inline(__always)
    public static func nameBit(_ name: UnsafeBufferPointer<UInt8>) -> UInt64 {
        guard let first = name.first, let last = name.last else { return 1 }
        return 1 << ((UInt64(name.count) &* 7 &+ UInt64(first) &* 3 &+ UInt64(last)) & 63)
    }

    /// The names of this object's members that are none of `known` (compared as `member(_:)`
    /// compares), in document order; [] for anything else. Only those names become Strings, so
    /// an object whose every member is known costs byte comparisons and no allocation.
    public func memberNames(notIn known: [StaticString]) -> [String] {
        guard !pooled, entry.kind == .object else { return [] }
        var unknown: [String] = []
        var k = index + 1
        for _ in 0..<entry.count {
            let key = document.entries[k]
            let isKnown = known.contains { name in
                key.names(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), isASCII: name.isASCII,
                          in: document.text.elements)
            }
            if !isKnown { unknown.append(document.string(at: k)) }
            k = document.end(of: k + 1)
        }
        return unknown
    }

    /// The members of an object in document order; [] for anything else.
    public var members: [(key: String, value: JSONNode)] {
        guard !pooled, entry.kind == .object else { return [] }
        var out: [(key: String, value: JSONNode)] = []
        out.reserveCapacity(entry.count)
        var k = index + 1
        for _ in 0..<entry.count {
            out.append((document.string(at: k), JSONNode(document: document, index: k + 1, pooled: false)))
            k = document.end(of: k + 1)
        }
        return out
    }

    /// This value as a tree. Built from the last entry back to the first with an explicit stack,
    /// so a deep document cannot overflow the thread's stack (the reader bounded its depth).
    public var value: JSONValue {
        if pooled { return .number(document.numbers[index]) }
        enum Item {
            case value(JSONValue)
            case member(key: String, value: JSONValue)
        }
        var stack: [Item] = []
        for k in stride(from: document.end(of: index) - 1, through: index, by: -1) {
            let e = document.entries[k]
            switch e.kind {
            case .null: stack.append(.value(.null))
            case .bool: stack.append(.value(.bool(e.payload != 0)))
            case .number: stack.append(.value(.number(Double(bitPattern: e.payload))))
            case .string: stack.append(.value(.string(document.string(at: k))))
            case .numbers:
                stack.append(.value(.numbers(Array(document.pooledNumbers(from: Int(e.payload), count: e.count)))))
            case .key, .nonASCIIKey:
                // The member's value is the item pushed just before (it follows the key).
                guard case .value(let v) = stack.removeLast() else { preconditionFailure("key without a value") }
                stack.append(.member(key: document.string(at: k), value: v))
            case .array:
                // Children were pushed last-first, so the top of the stack is element 0.
                var elements: [JSONValue] = []
                elements.reserveCapacity(e.count)
                for _ in 0..<e.count {
                    guard case .value(let v) = stack.removeLast() else { preconditionFailure("member in an array") }
                    elements.append(v)
                }
                stack.append(.value(.array(elements)))
            case .object:
                var object = JSONObject()
                object.entries.reserveCapacity(e.count)
                for _ in 0..<e.count {
                    guard case .member(let key, let v) = stack.removeLast() else { preconditionFailure("value without a key") }
                    object.entries.append((key: key, value: v))
                }
                stack.append(.value(.object(object)))
            }
        }
        guard stack.count == 1, case .value(let v) = stack[0] else { preconditionFailure("malformed tape") }
        return v
    }
}
