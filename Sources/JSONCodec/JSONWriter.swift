// JSONWriter.swift — streaming JSON output into one growing [UInt8]: containers, keys, scalars, and
// whole JSONValues, with commas placed automatically. Compact output (no whitespace).
// Not a validator of call order beyond cheap preconditions; not pretty-printing.

/// Numbers print as `Double.description` does: shortest round-trip digits, integers with ".0"
/// ("1.0"), exponents as "1e-07" / "1e+16". All valid JSON. Non-finite numbers are a precondition
/// failure: JSON cannot express them.
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    /// One flag suffices for commas: after any value (including a closed container) the next sibling
    /// needs one; after `[`, `{` or a key, it does not.
    private var needsComma = false
    /// Open containers, innermost last (true = object), for the structural preconditions.
    private var open: [Bool] = []

    public init(reservingCapacity: Int = 4096) {
        bytes = []
        bytes.reserveCapacity(reservingCapacity)
    }

    /// The whole `value` as compact JSON bytes.
    public static func encode(_ value: JSONValue, reservingCapacity: Int = 4096) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: reservingCapacity)
        w.value(value)
        return w.bytes
    }

    /// Hands the buffer over without copying and resets the writer to empty.
    public mutating func takeBytes() -> [UInt8] {
        defer {
            bytes = []
            open = []
            needsComma = false
        }
        return bytes
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        open.append(true)
        needsComma = false
    }

    public mutating func endObject() {
        precondition(open.last == true, "JSONWriter: endObject() without a matching beginObject()")
        open.removeLast()
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        open.append(false)
        needsComma = false
    }

    public mutating func endArray() {
        precondition(open.last == false, "JSONWriter: endArray() without a matching beginArray()")
        open.removeLast()
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"k":`; the next call must write that member's value.
    public mutating func key(_ k: String) {
        precondition(open.last == true, "JSONWriter: key() outside an object")
        separate()
        appendQuoted(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func number(_ x: Double) {
        precondition(x.isFinite, "JSONWriter: JSON has no NaN or Infinity")
        separate()
        let table = PowersOfTen.table
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ShortestDouble.bufferSize) { buffer in
            let n = ShortestDouble.write(x, to: buffer.baseAddress!, table: table)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<n]))
        }
        needsComma = true
    }

    /// Writes `[a,b,c]`. Contiguous collections ([Double], ArraySlice, UnsafeBufferPointer, …) take
    /// the fast path: one resize for the whole array, digits written in place. Inlinable, so that
    /// callers in other modules get it specialized for their collection instead of paying for
    /// generic dispatch on every vector of a response.
    @inlinable
    public mutating func numbers<C: Collection>(_ xs: C) where C.Element == Double {
        let done: Void? = xs.withContiguousStorageIfAvailable { numbers($0) }
        if done == nil {
            beginArray()
            for x in xs { number(x) }
            endArray()
        }
    }

    public mutating func numbers(_ xs: UnsafeBufferPointer<Double>) {
        separate()
        // Grow geometrically: reserveCapacity grows to exactly what it is asked for, so asking
        // for a little more on every row of a matrix would copy the whole buffer every time.
        let needed = bytes.count + xs.count * 20 + 2
        if bytes.capacity < needed { bytes.reserveCapacity(max(needed, 2 * bytes.capacity)) }
        bytes.append(UInt8(ascii: "["))
        // Format a chunk of numbers into a scratch buffer, then append it with one memcpy: no
        // per-number bookkeeping on the array, and no zero-filling of space we would overwrite.
        // The scratch is sized to the array, so a short vector stays on the stack.
        let chunk = min(1024, max(xs.count, 1))
        let table = PowersOfTen.table
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: chunk * 25 + ShortestDouble.bufferSize) { scratch in
            let out = scratch.baseAddress!
            var k = 0
            while k < xs.count {
                let stop = min(k + chunk, xs.count)
                var n = 0
                while k < stop {
                    let x = xs[k]
                    precondition(x.isFinite, "JSONWriter: JSON has no NaN or Infinity")
                    if k > 0 {
                        out[n] = UInt8(ascii: ",")
                        n += 1
                    }
                    n += ShortestDouble.write(x, to: out + n, table: table)
                    k += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<n]))
            }
        }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an integer without a fraction (`422`, not `422.0`): statuses and indices are
    /// integers in the schema, and a person reading them should see integers.
    public mutating func integer(_ n: Int) {
        separate()
        bytes.append(contentsOf: String(n).utf8)
        needsComma = true
    }

    public mutating func string(_ s: String) {
        separate()
        appendQuoted(s)
        needsComma = true
    }

    public mutating func bool(_ b: Bool) {
        separate()
        bytes.append(contentsOf: b ? trueBytes : falseBytes)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: nullBytes)
        needsComma = true
    }

    /// Writes a whole value. Recursion depth equals the value's nesting (the reader bounds that).
    public mutating func value(_ v: JSONValue) {
        switch v {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let x): number(x)
        case .string(let s): string(s)
        case .numbers(let xs): numbers(xs)
        case .array(let elements):
            beginArray()
            for e in elements { value(e) }
            endArray()
        case .object(let o):
            beginObject()
            for (k, e) in o.entries {
                key(k)
                value(e)
            }
            endObject()
        }
    }

    @inline(__always) private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// `"…"` with `"` and `\` escaped, \b \f \n \r \t in short form, other controls as \u00XX.
    /// Swift Strings are valid Unicode, so everything else is copied through as UTF-8.
    private mutating func appendQuoted(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            bytes.append(UInt8(ascii: "\""))
            // Most strings (every key) need no escape: one copy, no scan-and-copy loop.
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                bytes.append(UInt8(ascii: "\""))
                return
            }
            var runStart = 0
            for (k, c) in utf8.enumerated() where c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
                runStart = k + 1
                bytes.append(UInt8(ascii: "\\"))
                switch c {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(c)
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                default:
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(contentsOf: hex2(c).utf8)
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
            bytes.append(UInt8(ascii: "\""))
        }
    }
}

private let trueBytes = Array("true".utf8)
private let falseBytes = Array("false".utf8)
private let nullBytes = Array("null".utf8)
