// Typed reads of request fields out of a parsed JSON object: `body.vector("input")`,
// `body.number("learningRate", default: 1)`, a nested object, an enum by its name. Every member a
// read asks for is known; after the reads, any other member is an unknown field (422, with a
// suggestion when a known name is close), so a misspelled optional field never silently falls back
// to its default.
//
// Two kinds of failure: a value of the wrong JSON type, or a required field missing, is a 400
// thrown at once; a well-typed value that cannot be used (an unknown field or name, a ragged
// matrix, a value out of range) is a 422 issue collected with the others, so one answer lists
// them all. Pointers are built only when something fails: a thrown error gets its prefix on the
// way out (`APIError.at`), collected issues get theirs when an object hands them to its parent.

import Backprop
import JSONCodec

/// One JSON value of the request, with typed reads.
struct Field {
    let node: JSONNode

    init(_ node: JSONNode) { self.node = node }

    func number() throws(APIError) -> Double {
        guard let d = node.number else { throw mismatch("a number") }
        return d
    }

    /// A JSON number with no fractional part (400 otherwise); one beyond ±(2⁵³ − 1), where
    /// doubles stop being exact, is a valid JSON integer we cannot use (422).
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

    /// A vector of numbers. An empty array is returned empty (the core says whether that is usable).
    func vector() throws(APIError) -> [Double] {
        if let xs = node.doubles { return xs }
        throw notAVector()
    }

    /// Why this value is no vector: it is no array, or an element is no number (pointed at).
    func notAVector() -> APIError {
        guard node.kind == .array else { return mismatch("an array of numbers") }
        let items = Array(node.elements)
        let bad = items.firstIndex { $0.kind != .number } ?? 0
        return Field(items[bad]).mismatch("a number").at(index: bad)
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

    /// A matrix: an array of rows, each an array of numbers, all as long as row 0 (a row of
    /// another length is a 422 issue in `issues`, pointing at it, and the matrix comes back empty).
    /// `noun` names what a row holds, for that message: "expected 2 weights like row 0".
    func matrix(noun: String, issues: inout [FieldIssue]) throws(APIError) -> Matrix {
        guard node.kind == .array, !node.isNumbers else { throw mismatch("an array of rows (arrays of numbers)") }
        var storage: [Double] = []
        var cols = 0, rows = 0, ragged = false
        for (j, row) in node.elements.enumerated() {
            guard let count = row.numberCount else { throw Field(row).notAVector().at(index: j) }
            if j == 0 {
                cols = count
                storage.reserveCapacity(node.count * cols)
            } else if count != cols {
                issues.append(FieldIssue(.shapeMismatch, "/\(j)", "expected \(counted(cols, noun)) like row 0, found \(count)"))
                ragged = true
            }
            // Straight from the document into the matrix: no array per row.
            if !ragged { row.appendNumbers(to: &storage) }
            rows += 1
        }
        return ragged ? Matrix(rows: 0, cols: 0, storage: []) : Matrix(rows: rows, cols: cols, storage: storage)
    }

    func mismatch(_ expected: String) -> APIError {
        APIError.badField("", "expected \(expected), found \(node.kindDescription)")
    }
}

/// A 422 issue found while reading: its kind, where (relative to the object that holds it), what.
struct FieldIssue: Sendable {
    var kind: ProblemKind
    var pointer: String
    var detail: String

    init(_ kind: ProblemKind, _ pointer: String, _ detail: String) {
        self.kind = kind
        self.pointer = pointer
        self.detail = detail
    }
}

/// A name the API reads into an enum case: the case's raw value.
protocol WireName: CaseIterable, RawRepresentable<String> {}

extension WireName {
    /// Every name, for error messages: "sigmoid, tanh, relu, …".
    static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// A JSON object of the request, read member by member with typed reads that remember what they
/// asked for. Use it as a `var`; finish with `checkUnknownMembers` (done for nested objects by
/// `object` and `objects`, and for the body by `RequestBody.finish`).
///
/// Knowing that an object has an unknown member takes only a count (`found`); saying which, with
/// "did you mean …" or the list of fields, takes the names the reads asked for. Keeping those names
/// cost every request an array per object (3.3k instructions and 4 allocations of a small /step,
/// callgrind), so a body with an unknown member is read twice (`BackpropService.read`): first
/// without the names, noting only that some member went unread (`lacksFieldNames`), then, reads
/// being free of side effects, again from the start with them. The second reading answers exactly as a
/// single one did: an error that stops the reading (400) still wins over the unknown member.
struct FieldObject {
    let node: JSONNode
    /// Every member name a read asked for, present or not: the fields this object knows. Nil on
    /// a first reading, which keeps no names.
    private(set) var known: [StaticString]?
    /// Members a read found. Each member is read at most once, so when this equals the member
    /// count every member was asked for, and the unknown-member check needs no name comparison.
    private var found = 0
    /// 422 issues of this object and the objects within it, pointers relative to this object.
    var issues: [FieldIssue] = []

    /// Which names the members have, summarized (`JSONNode.memberNameMask`): most fields a
    /// request could send are absent, and their lookups end here instead of comparing names.
    private let names: UInt64

    /// `namingFields`: false for the first reading of a body, true for the second (see above).
    init(_ field: Field, namingFields: Bool) throws(APIError) {
        guard field.node.kind == .object else { throw field.mismatch("an object") }
        node = field.node
        names = node.memberNameMask
        known = namingFields ? [] : nil
    }

    /// Whether this reading found an unknown member that it could not name: the body must be
    /// read again, naming fields, for its answer.
    var lacksFieldNames: Bool {
        known == nil && issues.contains { $0.kind == .unknownField }  // a first reading names none
    }

    /// The member called `key`, which becomes a known field; `found` counts it when `reading`.
    private mutating func member(_ key: StaticString, reading: Bool = true) -> JSONNode? {
        known?.append(key)
        let bit = JSONNode.nameBit(UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        guard names & bit != 0 || !key.isASCII else { return nil }
        let value = node.member(key)
        if reading && value != nil { found += 1 }
        return value
    }

    /// Whether the member is present (a check, not a read: it may be read afterwards).
    mutating func has(_ key: StaticString) -> Bool { member(key, reading: false) != nil }

    /// The JSON kind of the member, or nil when it is absent (a check, not a read), for a field
    /// that may be one of several kinds (`optimizer`: a name or an object).
    mutating func kind(of key: StaticString) -> JSONNode.Kind? { member(key, reading: false)?.kind }

    /// The member read with `read`, or nil when it is absent; an error points at the member.
    mutating func read<T>(_ key: StaticString, _ read: (Field) throws(APIError) -> T) throws(APIError) -> T? {
        guard let v = member(key) else { return nil }
        do { return try read(Field(v)) } catch { throw error.at(key: key.description) }
    }

    mutating func number(_ key: StaticString) throws(APIError) -> Double? { try read(key) { f throws(APIError) in try f.number() } }
    mutating func number(_ key: StaticString, default d: Double) throws(APIError) -> Double { try number(key) ?? d }
    mutating func integer(_ key: StaticString) throws(APIError) -> Int? { try read(key) { f throws(APIError) in try f.integer() } }
    mutating func integer(_ key: StaticString, default d: Int) throws(APIError) -> Int { try integer(key) ?? d }
    mutating func bool(_ key: StaticString) throws(APIError) -> Bool? { try read(key) { f throws(APIError) in try f.bool() } }
    mutating func bool(_ key: StaticString, default d: Bool) throws(APIError) -> Bool { try bool(key) ?? d }
    mutating func string(_ key: StaticString) throws(APIError) -> String? { try read(key) { f throws(APIError) in try f.string() } }
    mutating func vector(_ key: StaticString) throws(APIError) -> [Double]? { try read(key) { f throws(APIError) in try f.vector() } }

    /// A matrix (see `Field.matrix`); a ragged row is an issue pointing into this member.
    mutating func matrix(_ key: StaticString, noun: String) throws(APIError) -> Matrix? {
        var ragged: [FieldIssue] = []
        let m = try read(key) { f throws(APIError) in try f.matrix(noun: noun, issues: &ragged) }
        adopt(ragged, under: key)
        return m
    }

    /// An enum case by its name; an unknown name is an issue (with a suggestion when a name is
    /// close) and reads as the default. `noun` names the field in the message ("activation").
    mutating func name<T: WireName>(_ key: StaticString, noun: String, default value: T) throws(APIError) -> T {
        guard let name = try string(key) else { return value }
        // The default is also the name most requests spell out: one comparison instead of the
        // enum's lookup through its names.
        if name == value.rawValue { return value }
        return resolve(name, noun: noun, at: "/" + escapePointerToken(key.description)) ?? value
    }

    /// `name` as a case of T, or nil after adding an issue at `pointer`.
    mutating func resolve<T: WireName>(_ name: String, noun: String, at pointer: @autoclosure () -> String) -> T? {
        if let resolved = T(rawValue: name) { return resolved }
        let hint = closestName(to: name, among: T.allCases.map(\.rawValue)).map { "did you mean \"\($0)\"? " } ?? ""
        issues.append(FieldIssue(.invalidValue, pointer(), "unknown \(noun) \"\(name)\"; \(hint)expected one of \(T.names)"))
        return nil
    }

    /// A nested object read with `read`, its unknown members and issues reported under `key`.
    mutating func object<T>(_ key: StaticString, _ read: (inout FieldObject) throws(APIError) -> T) throws(APIError) -> T? {
        guard let v = member(key) else { return nil }
        do throws(APIError) {
            var child = try FieldObject(Field(v), namingFields: known != nil)
            let value = try read(&child)
            child.checkUnknownMembers()
            adopt(child.issues, under: key)
            return value
        } catch {
            throw error.at(key: key.description)
        }
    }

    /// An array of objects, each read with `read(object, index)` like `object`.
    mutating func objects<T>(_ key: StaticString, _ read: (inout FieldObject, Int) throws(APIError) -> T) throws(APIError) -> [T]? {
        guard let v = member(key) else { return nil }
        do throws(APIError) {
            guard v.kind == .array else { throw Field(v).mismatch("an array of objects") }
            var out: [T] = []
            out.reserveCapacity(v.count)
            for (n, item) in v.elements.enumerated() {
                do throws(APIError) {
                    var child = try FieldObject(Field(item), namingFields: known != nil)
                    out.append(try read(&child, n))
                    child.checkUnknownMembers()
                    adopt(child.issues, under: key, index: n)
                } catch {
                    throw error.at(index: n)
                }
            }
            return out
        } catch {
            throw error.at(key: key.description)
        }
    }

    /// `value`, or a 400 saying that `key` is required and what it is. When a member of the
    /// object has a name close to `key`, the message says so: a misspelled required field is the
    /// likeliest reason it is missing.
    func require<T>(_ value: T?, _ key: StaticString, _ what: String) throws(APIError) -> T {
        if let value { return value }
        throw missing(key, what)
    }

    func missing(_ key: StaticString, _ what: String) -> APIError {
        let wanted = key.description
        let present = node.members.map(\.key).filter { $0 != wanted }
        let lookalike = present.first { closestName(to: $0, among: [wanted]) != nil }
        let hint = lookalike.map { "; found \"\($0)\": did you mean \"\(wanted)\"?" } ?? ""
        return APIError.badField("/" + escapePointerToken(wanted), "required: \(what)\(hint)")
    }

    /// Adds an issue about member `key` (a value of the right type that cannot be used).
    mutating func invalid(_ key: StaticString, _ detail: String, kind: ProblemKind = .invalidValue) {
        issues.append(FieldIssue(kind, "/" + escapePointerToken(key.description), detail))
    }

    /// Takes over issues found below this object, in member `key` (and its element `index`).
    /// The pointer prefix is built only when there is an issue.
    mutating func adopt(_ below: [FieldIssue], under key: StaticString, index: Int? = nil) {
        guard !below.isEmpty else { return }
        let prefix = "/" + escapePointerToken(key.description) + (index.map { "/\($0)" } ?? "")
        for var issue in below {
            issue.pointer = prefix + issue.pointer
            issues.append(issue)
        }
    }

    /// Checks for unknown members, then throws every issue collected (422), if any: the end of
    /// reading a request body.
    mutating func finish(adding more: [FieldIssue] = []) throws(APIError) {
        checkUnknownMembers()
        issues += more
        if !issues.isEmpty { throw APIError(issues: issues) }
    }

    /// Adds an issue for every member no read asked for, with the closest known name when one
    /// is close, else the list of known fields.
    mutating func checkUnknownMembers() {
        if found == node.count { return }  // the common case: every member was read
        guard let known else {
            // Which member is unknown (if any: one may have been checked, not read) needs the
            // names; this issue, pointing at the object, only asks for the second reading.
            issues.append(FieldIssue(.unknownField, "", "a member that no read asked for"))
            return
        }
        let unknown = node.memberNames(notIn: known)
        guard !unknown.isEmpty else { return }
        let knownNames = known.map(\.description)
        for name in unknown {
            let hint = closestName(to: name, among: knownNames).map { "did you mean \"\($0)\"?" }
                ?? "the fields here are \(uniqued(knownNames).joined(separator: ", "))"
            issues.append(FieldIssue(.unknownField, "/" + escapePointerToken(name), "unknown field; \(hint)"))
        }
    }
}

/// The names in order, each once.
private func uniqued(_ names: [String]) -> [String] {
    var out: [String] = []
    for n in names where !out.contains(n) { out.append(n) }
    return out
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
