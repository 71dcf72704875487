// The one error the core throws: what is wrong, where in the request it is, and what kind of
// problem it is, so the API edge can pick a status and a JSON Pointer without parsing messages.
// Not an HTTP type: paths name request fields, statuses are the edge's business.

/// A location inside a request, e.g. `network.layers[1].weights[0]`.
public struct FieldPath: Sendable, Equatable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Equatable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public static let root = FieldPath()

    /// The path one key further down.
    public func key(_ name: String) -> FieldPath { FieldPath(components + [.key(name)]) }
    /// The path one index further down.
    public func index(_ i: Int) -> FieldPath { FieldPath(components + [.index(i)]) }

    /// `network.layers[1].weights[0]`; the root prints as `(request)`.
    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out.isEmpty ? "(request)" : out
    }
}

/// One thing wrong with a request, at one place.
public struct FieldIssue: Sendable, Equatable {
    public var path: FieldPath
    public var message: String

    public init(_ path: FieldPath, _ message: String) {
        self.path = path
        self.message = message
    }
}

/// Why the core refused or could not finish a computation.
public struct BackpropError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A value that is not allowed: unknown name, out of range, outside the loss's domain.
        case invalidValue
        /// Matrices and vectors whose shapes do not fit together.
        case shapeMismatch
        /// The request is larger than the configured limits allow.
        case limitExceeded
        /// The computation overflowed to ±Infinity or produced NaN.
        case nonFinite
    }

    public var kind: Kind
    /// At least one issue; validation reports every issue it finds (up to a cap), not just the first.
    public var issues: [FieldIssue]

    public init(_ kind: Kind, _ issues: [FieldIssue]) {
        precondition(!issues.isEmpty)
        self.kind = kind
        self.issues = issues
    }

    public init(_ kind: Kind, at path: FieldPath, _ message: String) {
        self.init(kind, [FieldIssue(path, message)])
    }

    public var description: String {
        issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
    }
}
