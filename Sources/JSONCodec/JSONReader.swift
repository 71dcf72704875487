// JSONReader.swift — strict RFC 8259 parser from UTF-8 bytes to a JSONDocument tape (and from it a
// JSONValue tree), with an explicit stack (never recursion, so hostile nesting cannot overflow the
// thread's stack) and errors that carry a JSON Pointer. Not here: number conversion (NumberParsing.swift) and strings (StringParsing.swift).

public struct JSONReader {
    public struct Limits: Sendable {
        /// Containers nested deeper than this are an error ("nesting deeper than 64").
        public var maxDepth = 64
        /// Inputs longer than this are an error, before any parsing.
        public var maxBytes = Int.max
        /// Longer number tokens are an error: RFC 8259 §9 allows limits on numbers, and this keeps
        /// strtod's exact bignum fallback from chewing on a megabyte of digits.
        public var maxNumberLength = 4096

        public init(maxDepth: Int = 64, maxBytes: Int = Int.max, maxNumberLength: Int = 4096) {
            self.maxDepth = maxDepth
            self.maxBytes = maxBytes
            self.maxNumberLength = maxNumberLength
        }
    }

    /// The document as a flat tape (JSONDocument): the cheap form to read a request from.
    public static func parseDocument(_ bytes: UnsafeRawBufferPointer, limits: Limits = .init())
        throws(JSONSyntaxError) -> JSONDocument
    {
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var parser = Parser(base: base ?? emptyInput, count: bytes.count, limits: limits)
        defer { parser.deallocateStack() }
        do { return try parser.parseDocument() } catch {
            parser.deallocateTape()  // on success the document owns it
            throw error
        }
    }

    public static func parseDocument(_ bytes: [UInt8], limits: Limits = .init()) throws(JSONSyntaxError) -> JSONDocument {
        // Typed throws do not pass through withUnsafeBytes's rethrows; carry the result out instead.
        let result: Result<JSONDocument, JSONSyntaxError> = bytes.withUnsafeBytes { raw in
            do throws(JSONSyntaxError) { return .success(try parseDocument(raw, limits: limits)) } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The document as a tree of JSONValues.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: Limits = .init()) throws(JSONSyntaxError) -> JSONValue {
        try parseDocument(bytes, limits: limits).root.value
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = .init()) throws(JSONSyntaxError) -> JSONValue {
        try parseDocument(bytes, limits: limits).root.value
    }

    public static func parse(_ text: String, limits: Limits = .init()) throws(JSONSyntaxError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    /// A valid pointer for empty input (count 0, never dereferenced).
    nonisolated(unsafe) private static let emptyInput = UnsafePointer(UnsafeMutablePointer<UInt8>.allocate(capacity: 1))
}

/// One open container on the explicit stack. Plain data (the rare key set lives in
/// `Parser.keySets`), so the stack is a GrowingBuffer.
struct Frame {
    var isObject: Bool
    /// The container's own entry on the tape, patched with its end and count when it closes.
    var entry: Int
    /// Members or elements completed so far.
    var count = 0
}

struct Parser {
    let base: UnsafePointer<UInt8>
    let end: Int
    let limits: JSONReader.Limits
    let powers: UnsafePointer<UInt64> = PowersOfFive.table
    var i = 0

    var frames: GrowingBuffer<Frame>
    /// The names of an open object with many members, by its depth (index in `frames`): built
    /// once an object has 16, so duplicate checks stay O(1) instead of O(n).
    var keySets: [Int: Set<String>] = [:]
    /// The tape being written, its number pool and its text (see JSONDocument). The buffers are
    /// handed to the document, or freed by `deallocateTape` when parsing fails.
    var entries: GrowingBuffer<JSONDocument.Entry>
    var numbers: GrowingBuffer<Double>
    var text: GrowingBuffer<UInt8>
    /// True while a value is expected or being parsed in the top container (puts its slot in the path).
    var slotOpen = false

    init(base: UnsafePointer<UInt8>, count: Int, limits: JSONReader.Limits) {
        self.base = base
        self.end = count
        self.limits = limits
        // Sized so that a small document (the common request) never regrows its stacks and
        // tables: each growth is a malloc and a copy. The pool assumes a number per 8 bytes
        // (request numbers take 10–20 with their commas); denser input just regrows it.
        entries = GrowingBuffer(capacity: min(64, count / 2 + 1))
        numbers = GrowingBuffer(capacity: count / 8 + 16)
        frames = GrowingBuffer(capacity: 8)
        text = GrowingBuffer(capacity: min(256, count))
    }

    /// Frees the tape of a parse that failed (a finished one gave it to its document).
    func deallocateTape() {
        entries.deallocate()
        numbers.deallocate()
        text.deallocate()
    }

    /// Frees the stack, which only parsing uses.
    func deallocateStack() {
        frames.deallocate()
    }

    private enum State { case value, afterValue }

    mutating func parseDocument() throws(JSONSyntaxError) -> JSONDocument {
        if end > limits.maxBytes { throw fail("input larger than \(limits.maxBytes) bytes", at: limits.maxBytes) }
        var state = State.value
        while true {
            switch state {
            case .value:
                skipWhitespace()
                guard i < end else { throw fail("unexpected end of input") }
                switch base[i] {
                case UInt8(ascii: "["):
                    try openContainer(isObject: false)
                    skipWhitespace()
                    guard i < end else { throw fail("unexpected end of input") }
                    if base[i] == UInt8(ascii: "]") {
                        i += 1
                        closeContainer()
                        state = .afterValue
                        continue
                    }
                    slotOpen = true
                    if isNumberStart(base[i]) {
                        state = try parseNumberArray() ? .afterValue : .value
                    }
                case UInt8(ascii: "{"):
                    try openContainer(isObject: true)
                    skipWhitespace()
                    guard i < end else { throw fail("unexpected end of input") }
                    if base[i] == UInt8(ascii: "}") {
                        i += 1
                        closeContainer()
                        state = .afterValue
                        continue
                    }
                    try parseKeyAndColon()
                case UInt8(ascii: "\""):
                    let start = text.count
                    _ = try parseString()
                    entries.append(.init(kind: .string, count: text.count - start, payload: UInt64(start)))
                    state = .afterValue
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    entries.append(.init(kind: .number, payload: try parseNumber().bitPattern))
                    state = .afterValue
                case UInt8(ascii: "t"):
                    try expectLiteral("true")
                    entries.append(.init(kind: .bool, payload: 1))
                    state = .afterValue
                case UInt8(ascii: "f"):
                    try expectLiteral("false")
                    entries.append(.init(kind: .bool, payload: 0))
                    state = .afterValue
                case UInt8(ascii: "n"):
                    try expectLiteral("null")
                    entries.append(.init(kind: .null))
                    state = .afterValue
                case let c:
                    throw unexpected(c, expecting: "a value")
                }

            case .afterValue:
                slotOpen = false
                guard frames.count > 0 else {
                    skipWhitespace()
                    if i != end { throw fail("unexpected data after the top-level value") }
                    return JSONDocument(entries: entries, numbers: numbers, text: text)
                }
                let top = frames.count - 1
                frames[top].count += 1  // the value just finished belongs to the top container
                let isObject = frames[top].isObject
                skipWhitespace()
                guard i < end else { throw fail("unexpected end of input") }
                let c = base[i]
                if c == UInt8(ascii: ",") {
                    i += 1
                    skipWhitespace()
                    if isObject {
                        if i < end && base[i] == UInt8(ascii: "}") { throw fail("trailing comma before '}'") }
                        try parseKeyAndColon()
                    } else {
                        if i < end && base[i] == UInt8(ascii: "]") { throw fail("trailing comma before ']'") }
                        slotOpen = true
                    }
                    state = .value
                } else if c == UInt8(ascii: isObject ? "}" : "]") {
                    i += 1
                    closeContainer()
                } else {
                    throw fail(isObject ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element")
                }
            }
        }
    }

    /// Consumes `[` or `{`, writes the container's entry and pushes a frame; the depth limit is
    /// checked before anything grows.
    private mutating func openContainer(isObject: Bool) throws(JSONSyntaxError) {
        if frames.count >= limits.maxDepth { throw fail("nesting deeper than \(limits.maxDepth)") }
        i += 1
        frames.append(Frame(isObject: isObject, entry: entries.count))
        entries.append(.init(kind: isObject ? .object : .array))
        slotOpen = false
    }

    /// Pops the top container and records on its entry where it ends and how much it holds.
    private mutating func closeContainer() {
        let top = frames.removeLast()
        entries[top.entry].count = top.count
        entries[top.entry].payload = UInt64(entries.count)
        if top.isObject && !keySets.isEmpty { keySets[frames.count] = nil }
    }

    /// At a member's opening quote: the key, a duplicate check, then ':'. Leaves the slot open.
    private mutating func parseKeyAndColon() throws(JSONSyntaxError) {
        guard i < end else { throw fail("unexpected end of input") }
        guard base[i] == UInt8(ascii: "\"") else { throw unexpected(base[i], expecting: "'\"' to begin an object key") }
        let keyOffset = i
        let keyEntry = entries.count
        let keyStart = text.count
        let isASCII = try parseString()
        entries.append(.init(kind: isASCII ? .key : .nonASCIIKey, count: text.count - keyStart, payload: UInt64(keyStart)))
        let top = frames.count - 1
        let object = frames[top]
        var duplicate = false
        if !keySets.isEmpty && keySets[top] != nil {  // the common case skips the hashing
            duplicate = !keySets[top]!.insert(string(at: keyEntry)).inserted
        } else {
            let all = text.elements
            let name = UnsafeBufferPointer(rebasing: all[keyStart...])
            duplicate = completedKeys(of: object).contains { entries[$0].names(name, isASCII: isASCII, in: all) }
            if object.count >= 16 { keySets[top] = Set(completedKeys(of: object).map { string(at: $0) } + [string(at: keyEntry)]) }
        }
        slotOpen = true        // the path now names this member
        if duplicate { throw fail("duplicate key \"\(string(at: keyEntry))\"", at: keyOffset) }
        skipWhitespace()
        guard i < end else { throw fail("unexpected end of input") }
        guard base[i] == UInt8(ascii: ":") else { throw unexpected(base[i], expecting: "':' after object key") }
        i += 1
    }

    /// The key entries of the completed members of the object `frame`, in order, read off the
    /// tape: each member's value ends where the next key begins, so no list of keys is kept.
    private func completedKeys(of frame: Frame) -> UnfoldSequence<Int, (key: Int, remaining: Int)> {
        let entries = self.entries  // captured alone: capturing self would copy the parser
        return sequence(state: (key: frame.entry + 1, remaining: frame.count)) { state in
            guard state.remaining > 0 else { return nil }
            let key = state.key
            state = (entries[key + 1].end(at: key + 1), state.remaining - 1)
            return key
        }
    }

    /// The hot loop for `[1.5, -2e3, …]`: numbers go straight into the pool, no entry per
    /// element. Returns true when the array closed (its entry becomes `.numbers`), false when a
    /// non-number element showed up (the numbers so far move to the tape as `.number` entries,
    /// and the generic loop resumes at that element).
    private mutating func parseNumberArray() throws(JSONSyntaxError) -> Bool {
        let top = frames.count - 1
        let poolStart = numbers.count
        while true {
            numbers.append(try parseNumber())
            frames[top].count += 1
            skipWhitespace()
            guard i < end else {
                slotOpen = false
                throw fail("unexpected end of input")
            }
            let c = base[i]
            if c == UInt8(ascii: ",") {
                i += 1
                skipWhitespace()
                if i < end && isNumberStart(base[i]) { continue }
                for k in poolStart..<numbers.count { entries.append(.init(kind: .number, payload: numbers[k].bitPattern)) }
                numbers.truncate(to: poolStart)
                if i < end && base[i] == UInt8(ascii: "]") {
                    slotOpen = false
                    throw fail("trailing comma before ']'")
                }
                return false
            } else if c == UInt8(ascii: "]") {
                i += 1
                slotOpen = false
                let frame = frames.removeLast()
                entries[frame.entry] = .init(kind: .numbers, count: frame.count, payload: UInt64(poolStart))
                return true
            } else {
                slotOpen = false
                throw fail("expected ',' or ']' after array element")
            }
        }
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONSyntaxError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0..<n {
            guard i + k < end else { throw fail("unexpected end of input", at: end) }
            guard base[i + k] == w[k] else { throw fail("invalid literal, expected '\(word)'") }
        }
        i += n
    }

    @inline(__always) func isNumberStart(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "-") || (c &- UInt8(ascii: "0")) < 10
    }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = base[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    // MARK: Errors

    func unexpected(_ c: UInt8, expecting what: String) -> JSONSyntaxError {
        if c == UInt8(ascii: "N") || c == UInt8(ascii: "I") {
            return fail("NaN and Infinity are not valid JSON numbers")
        }
        if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") {
            return fail("unexpected '\(Character(Unicode.Scalar(c)))', expected \(what)")
        }
        if c >= 0x21 && c < 0x7F {
            return fail("unexpected character '\(Character(Unicode.Scalar(c)))', expected \(what)")
        }
        return fail("unexpected byte 0x\(hex2(c)), expected \(what)")
    }

    /// Builds the error at `offset` (default: the current index), with line, column and path.
    func fail(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let offset = min(offset ?? i, end)
        var line = 1, column = 1
        for k in 0..<min(offset, end) {
            let c = base[k]
            if c == 0x0A {
                line += 1
                column = 1
            } else if c & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONSyntaxError(offset: offset, line: line, column: column, message: message, path: currentPath())
    }

    /// The text of the string or key entry `k`.
    func string(at k: Int) -> String {
        entries[k].string(in: text.elements)
    }

    /// The JSON Pointer of the value being parsed: one token per open container, the innermost
    /// one only while a slot is open (between elements the container itself is what is parsed).
    func currentPath() -> String {
        var path = ""
        for f in 0..<frames.count {
            let frame = frames[f]
            let isTop = f == frames.count - 1
            if isTop && !slotOpen { break }
            if frame.isObject {
                // The member being parsed: its key is the entry just before the open container
                // that is its value, or in the innermost object (whose open slot holds no entry
                // yet: scalars are written when complete) the last entry written.
                let key = isTop ? entries.count - 1 : frames[f + 1].entry - 1
                path += "/" + JSONPointer.escape(string(at: key))
            } else {
                path += "/\(frame.count)"
            }
        }
        return path
    }
}

func hex2(_ c: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(c >> 4)], digits[Int(c & 15)]])
}
