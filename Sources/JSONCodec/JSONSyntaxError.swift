// JSONSyntaxError.swift — what the reader throws: where (byte offset, line, column, JSON Pointer)
// and what, in words a person can act on. Not a validation error for well-formed but unusable JSON;
// that belongs to the API layer.

public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 0-based byte offset into the input where the problem was detected.
    public var offset: Int
    /// 1-based line (lines end at "\n").
    public var line: Int
    /// 1-based column, counted in Unicode scalars (UTF-8 continuation bytes do not count).
    public var column: Int
    /// What went wrong, e.g. `expected ',' or ']' after array element`.
    public var message: String
    /// RFC 6901 JSON Pointer to the value being parsed ("" is the root), e.g. "/layers/0/weights/3".
    public var path: String

    public init(offset: Int, line: Int, column: Int, message: String, path: String) {
        self.offset = offset
        self.line = line
        self.column = column
        self.message = message
        self.path = path
    }

    public var description: String {
        "line \(line), column \(column) (byte \(offset)): \(message)"
            + " at \(path.isEmpty ? "the top level" : path)"
    }
}

enum JSONPointer {
    /// One reference token, escaped per RFC 6901 §3: "~" → "~0", then "/" → "~1".
    static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else {
            return token
        }
        var out = ""
        for ch in token.unicodeScalars {
            switch ch {
            case "~": out += "~0"
            case "/": out += "~1"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}
