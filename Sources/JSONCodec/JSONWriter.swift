// JSONWriter.swift — streaming JSON output into one growing byte buffer: containers, keys, scalars,
// and whole JSONValues, with commas placed automatically. Compact output (no whitespace).
// Not a validator of call order beyond cheap preconditions; not pretty-printing.

internal import Glibc  // memcpy

/// Numbers print as `Double.description` does: shortest round-trip digits, integers with ".0"
/// ("1.0"), exponents as "1e-07" / "1e+16". All valid JSON. Non-finite numbers are a precondition
/// failure: JSON cannot express them.
///
/// Bytes are first written with plain stores into a scratch buffer the writer owns (hence
/// ~Copyable), then moved to the output array 16 KiB at a time. Appending each piece to an
/// [UInt8] instead costs a uniqueness check and a generic call per key, bracket and comma, which
/// was most of the cost of a small response; the output array stays the one big buffer of a
/// large response, handed over by `takeBytes` without a copy.
public struct JSONWriter: ~Copyable {
    /// Everything flushed so far.
    private var output: [UInt8] = []
    /// Bytes written since the last flush: `scratch[0..<pending]`.
    private let scratch: UnsafeMutablePointer<UInt8>
    private var pending = 0
    /// The scratch's size: the expected output when small (a /healthz answer needs 40 bytes, not
    /// 16 KiB), else 16 KiB, a flush each. At least room for one number and its comma.
    private let scratchSize: Int
    /// One flag suffices for commas: after any value (including a closed container) the next sibling
    /// needs one; after `[`, `{` or a key, it does not.
    private var needsComma = false
    /// Open containers, innermost last (true = object), for the structural preconditions. A
    /// GrowingBuffer, freed in deinit: an array checked its uniqueness on every bracket.
    private var open = GrowingBuffer<Bool>(capacity: 16)  // deeper than any response nests

    /// `reservingCapacity`: the expected output size; a large one is reserved at once, so the
    /// output array grows without copies.
    public init(reservingCapacity: Int = 4096) {
        scratchSize = min(16 << 10, max(64, reservingCapacity))
        scratch = .allocate(capacity: scratchSize)
        if reservingCapacity > scratchSize { output.reserveCapacity(reservingCapacity) }
    }

    deinit {
        scratch.deallocate()
        open.deallocate()
    }

    /// The whole `value` as compact JSON bytes.
    public static func encode(_ value: JSONValue, reservingCapacity: Int = 4096) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: reservingCapacity)
        w.value(value)
        return w.takeBytes()
    }

    /// A copy of the bytes written so far (`takeBytes` hands them over without copying).
    public var bytes: [UInt8] { output + UnsafeBufferPointer(start: scratch, count: pending) }

    /// The bytes written so far, and the writer reset to empty.
    public mutating func takeBytes() -> [UInt8] {
        flush()
        defer {
            output = []
            open.truncate(to: 0)
            needsComma = false
        }
        return output
    }

    // MARK: The buffer

    private mutating func flush() {
        output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: pending))
        pending = 0
    }

    /// Makes room for `n` more bytes in the scratch (n ≤ its size).
    @inline(__always) private mutating func reserve(_ n: Int) {
        if pending + n > scratchSize { flush() }
    }

    @inline(__always) private mutating func put(_ byte: UInt8) {
        reserve(1)
        scratch[pending] = byte
        pending += 1
    }

    private mutating func put(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if bytes.count > scratchSize / 2 {
            flush()
            output.append(contentsOf: bytes)
            return
        }
        reserve(bytes.count)
        memcpy(scratch + pending, base, bytes.count)
        pending += bytes.count
    }

    // MARK: Structure

    public mutating func beginObject() {
        separate()
        put(UInt8(ascii: "{"))
        open.append(true)
        needsComma = false
    }

    public mutating func endObject() {
        precondition(open.last == true, "JSONWriter: endObject() without a matching beginObject()")
        open.removeLast()
        put(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        put(UInt8(ascii: "["))
        open.append(false)
        needsComma = false
    }

    public mutating func endArray() {
        precondition(open.last == false, "JSONWriter: endArray() without a matching beginArray()")
        open.removeLast()
        put(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"k":`; the next call must write that member's value. This overload takes a name
    /// known at compile time, the common case: its bytes are read in place, no String to unpack.
    public mutating func key(_ k: StaticString) {
        key(utf8: UnsafeBufferPointer(start: k.utf8Start, count: k.utf8CodeUnitCount))
    }

    /// The same for a name made at run time. (Disfavored so that a literal picks the
    /// StaticString overload.)
    @_disfavoredOverload
    public mutating func key(_ k: String) {
        var k = k
        k.withUTF8 { key(utf8: $0) }
    }

    private mutating func key(utf8: UnsafeBufferPointer<UInt8>) {
        precondition(open.last == true, "JSONWriter: key() outside an object")
        separate()
        appendQuoted(utf8)
        put(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func number(_ x: Double) {
        precondition(x.isFinite, "JSONWriter: JSON has no NaN or Infinity")
        reserve(1 + ShortestDouble.bufferSize)
        var n = pending
        if needsComma {
            scratch[n] = UInt8(ascii: ",")
            n += 1
        }
        pending = n + ShortestDouble.write(x, to: scratch + n, table: PowersOfTen.table)
        needsComma = true
    }

    /// Writes `[a,b,c]`. Contiguous collections ([Double], ArraySlice, UnsafeBufferPointer, …) take
    /// the fast path: digits written in place, no per-number call or bookkeeping. Inlinable, so that
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
        put(UInt8(ascii: "["))
        // Locals, not `scratch[pending]`: stores through a byte pointer may alias any property,
        // so the compiler would reload and store `pending` around every digit.
        let table = PowersOfTen.table
        let out = scratch
        var n = pending
        for k in xs.indices {
            let x = xs[k]
            precondition(x.isFinite, "JSONWriter: JSON has no NaN or Infinity")
            // Room for a comma and what ShortestDouble may touch.
            if n + 1 + ShortestDouble.bufferSize > scratchSize {
                pending = n
                flush()
                n = 0
            }
            if k > 0 {
                out[n] = UInt8(ascii: ",")
                n += 1
            }
            n += ShortestDouble.write(x, to: out + n, table: table)
        }
        pending = n
        put(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes an integer without a fraction (`422`, not `422.0`): statuses and indices are
    /// integers in the schema, and a person reading them should see integers.
    public mutating func integer(_ n: Int) {
        separate()
        var digits = String(n)
        digits.withUTF8 { put($0) }
        needsComma = true
    }

    public mutating func string(_ s: String) {
        separate()
        var s = s
        s.withUTF8 { appendQuoted($0) }
        needsComma = true
    }

    public mutating func bool(_ b: Bool) {
        separate()
        (b ? trueBytes : falseBytes).withUnsafeBufferPointer { put($0) }
        needsComma = true
    }

    public mutating func null() {
        separate()
        nullBytes.withUnsafeBufferPointer { put($0) }
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
        if needsComma { put(UInt8(ascii: ",")) }
    }

    /// `"…"` with `"` and `\` escaped, \b \f \n \r \t in short form, other controls as \u00XX.
    /// The bytes are a String's or a literal's, so valid UTF-8: everything else is copied through.
    private mutating func appendQuoted(_ utf8: UnsafeBufferPointer<UInt8>) {
        // The common case, nothing to escape (every key the service writes): checked and copied
        // in one pass, a word at a time, instead of a `put` per run and quote. Room for the
        // quotes and a word's overrun.
        if utf8.count + 10 <= scratchSize {
            reserve(utf8.count + 10)
            if copyIfPlain(utf8, to: scratch + pending + 1) {
                scratch[pending] = UInt8(ascii: "\"")
                scratch[pending + 1 + utf8.count] = UInt8(ascii: "\"")
                pending += utf8.count + 2
                return
            }
        }
        put(UInt8(ascii: "\""))
        var runStart = 0
        for k in utf8.indices {
            let c = utf8[k]
            guard SpecialBytes.isSpecial(c) else { continue }
            put(UnsafeBufferPointer(rebasing: utf8[runStart..<k]))
            runStart = k + 1
            put(UInt8(ascii: "\\"))
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): put(c)
            case 0x08: put(UInt8(ascii: "b"))
            case 0x0C: put(UInt8(ascii: "f"))
            case 0x0A: put(UInt8(ascii: "n"))
            case 0x0D: put(UInt8(ascii: "r"))
            case 0x09: put(UInt8(ascii: "t"))
            default:
                for h in "u00\(hex2(c))".utf8 { put(h) }
            }
        }
        put(UnsafeBufferPointer(rebasing: utf8[runStart...]))
        put(UInt8(ascii: "\""))
    }
}

/// Copies `utf8` to `out` and returns true when none of its bytes needs escaping; returns false
/// as soon as one does (`out` then holds a partial copy). It goes 8 bytes at a time, the last
/// few padded with "a"s to a word (see SpecialBytes). Stores whole words, so `out` needs 7 bytes
/// of room past the copy.
@inline(__always) private func copyIfPlain(_ utf8: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Bool {
    guard let source = utf8.baseAddress else { return true }
    @inline(__always) func copyWordIfPlain(_ w: UInt64, to k: Int) -> Bool {
        guard SpecialBytes.marks(w) == 0 else { return false }
        UnsafeMutableRawPointer(out + k).storeBytes(of: w, as: UInt64.self)
        return true
    }
    var k = 0
    while k + 8 <= utf8.count {
        guard copyWordIfPlain(UnsafeRawPointer(source + k).loadUnaligned(as: UInt64.self), to: k) else { return false }
        k += 8
    }
    guard k < utf8.count else { return true }
    var tail: UInt64 = 0x6161_6161_6161_6161
    withUnsafeMutableBytes(of: &tail) { $0.copyMemory(from: UnsafeRawBufferPointer(start: source + k, count: utf8.count - k)) }
    return copyWordIfPlain(tail, to: k)
}

private let trueBytes = Array("true".utf8)
private let falseBytes = Array("false".utf8)
private let nullBytes = Array("null".utf8)
