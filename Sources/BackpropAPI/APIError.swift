// The one error type of the API edge, and its one body: application/problem+json (RFC 9457) with
// JSON Pointers into the request. Every failure of every route becomes one of these; a 5xx is a bug,
// except the 503 of a server shedding load (`overloaded`).
// Not where errors are detected: the wire decoder and the core do that.

import Backprop
import JSONCodec
import MicroHTTP

/// A failed request: status, RFC 9457 fields, and the fields to fix.
public struct APIError: Error, Sendable {
    public var status: Int
    /// A URI naming the problem kind (`about:blank` when the status says it all).
    public var type: String
    public var title: String
    public var detail: String
    /// Each field to fix: a JSON Pointer into the request and what is wrong there.
    public var errors: [(pointer: String, detail: String)]
    /// Extra response headers (e.g. `Allow` on a 405).
    public var headers: [(name: String, value: String)] = []
    /// True when `detail` is "pointer: what is wrong" of the first error, so it is rewritten when
    /// the pointer gets a prefix.
    var detailNamesFirstError = false

    public init(status: Int, type: String = "about:blank", title: String, detail: String,
                errors: [(pointer: String, detail: String)] = [], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers
    }
}

/// The problem kinds this service reports, as `type` URIs (listed in openapi.yaml).
enum ProblemType {
    static let malformedJSON = "urn:backprop:problem:malformed-json"
    static let invalidField = "urn:backprop:problem:invalid-field"
    static let unknownField = "urn:backprop:problem:unknown-field"
    static let shapeMismatch = "urn:backprop:problem:shape-mismatch"
    static let limitExceeded = "urn:backprop:problem:limit-exceeded"
    static let nonFinite = "urn:backprop:problem:non-finite"
    static let unsupportedMediaType = "urn:backprop:problem:unsupported-media-type"
    static let overloaded = "urn:backprop:problem:overloaded"
}

/// The kinds of 422: a request that is well-formed JSON but cannot be used as it is.
enum ProblemKind: Sendable {
    /// A value that is not allowed: an unknown name, out of range, outside the loss's domain.
    case invalidValue
    /// A member the object does not have (a misspelling, most likely).
    case unknownField
    /// Matrices and vectors whose shapes do not fit together.
    case shapeMismatch
    /// The request is larger than the configured limits allow.
    case limitExceeded
    /// The computation overflowed to ±Infinity or produced NaN.
    case nonFinite
    /// The client left, so the computation stopped (an answer nobody reads).
    case stopped

    var type: String {
        switch self {
        case .invalidValue: ProblemType.invalidField
        case .unknownField: ProblemType.unknownField
        case .shapeMismatch: ProblemType.shapeMismatch
        case .limitExceeded: ProblemType.limitExceeded
        case .nonFinite: ProblemType.nonFinite
        case .stopped: ProblemType.overloaded
        }
    }

    var title: String {
        switch self {
        case .invalidValue: "Invalid value"
        case .unknownField: "Unknown field"
        case .shapeMismatch: "Shapes do not fit"
        case .limitExceeded: "Request exceeds the limits"
        case .nonFinite: "Non-finite result"
        case .stopped: "Stopped"
        }
    }

    init(_ kind: BackpropError.Kind) {
        switch kind {
        case .invalidValue: self = .invalidValue
        case .shapeMismatch: self = .shapeMismatch
        case .nonFinite: self = .nonFinite
        case .stopped: self = .stopped
        }
    }
}

extension APIError {
    /// 400: the body is not JSON, or a field has the wrong JSON type or is missing.
    static func badField(_ pointer: String, _ detail: String) -> APIError {
        field(400, "Invalid request field", pointer, detail)
    }

    /// 422: a field of the right type whose value cannot be used (checked at the edge, before the core).
    static func badValue(_ pointer: String, _ detail: String) -> APIError {
        field(422, "Invalid value", pointer, detail)
    }

    /// One field's problem, its detail naming the field (rewritten as the pointer grows).
    private static func field(_ status: Int, _ title: String, _ pointer: String, _ detail: String) -> APIError {
        var e = APIError(status: status, type: ProblemType.invalidField, title: title,
                         detail: "\(display(pointer)): \(detail)", errors: [(pointer, detail)])
        e.detailNamesFirstError = true
        return e
    }

    /// The same error one level further out: the member `key` (or element `index`) of the
    /// value it was found in is put in front of every pointer.
    func at(key: String) -> APIError { prefixed("/" + escapePointerToken(key)) }
    func at(index: Int) -> APIError { prefixed("/\(index)") }

    private func prefixed(_ token: String) -> APIError {
        var e = self
        e.errors = errors.map { (pointer: token + $0.pointer, detail: $0.detail) }
        if detailNamesFirstError, let first = e.errors.first {
            e.detail = "\(display(first.pointer)): \(first.detail)"
        }
        return e
    }

    static func malformedJSON(_ e: JSONSyntaxError) -> APIError {
        let detail = "line \(e.line), column \(e.column): \(e.message)"
        return APIError(status: 400, type: ProblemType.malformedJSON, title: "Malformed JSON",
                        detail: "The body is not valid JSON: \(detail)", errors: [(e.path, detail)])
    }

    /// 422: the request is well-formed JSON but cannot be used as it is, for every reason in
    /// `issues` (at least one); the type and title are the first issue's.
    init(issues: [FieldIssue]) {
        let first = issues[0]
        let more = issues.count > 1 ? " (and \(issues.count - 1) more in errors)" : ""
        self.init(status: first.kind == .stopped ? 503 : 422, type: first.kind.type, title: first.kind.title,
                  detail: "\(display(first.pointer)): \(first.detail)\(more)", errors: issues.map { ($0.pointer, $0.detail) })
    }

    /// 422 from the core, each issue at the request field `pointer` says it came from.
    init(_ e: BackpropError, pointer: (ProblemPart) -> String) {
        self.init(issues: e.issues.map { FieldIssue(ProblemKind(e.kind), pointer($0.part), $0.message) })
    }

    static func notFound(_ path: String) -> APIError {
        APIError(status: 404, title: "Not Found", detail: "No route \(path). Routes: \(Route.apiRoutes.map(\.path).joined(separator: ", ")).")
    }

    static func methodNotAllowed(_ method: String, _ route: Route) -> APIError {
        let allow = route.allowedMethods.joined(separator: ", ")
        return APIError(status: 405, title: "Method Not Allowed", detail: "\(route.path) accepts \(allow), not \(method).",
                        headers: [("Allow", allow)])
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: 413, title: "Content Too Large",
                 detail: "The body is larger than this server accepts (\(limit) bytes; see --max-body-bytes).")
    }

    /// 503: the server will not serve the request now (MicroHTTP's admission), with Retry-After.
    static func overloaded(_ reason: OverloadReason, retryAfterSeconds: Int) -> APIError {
        let why = switch reason {
        case .memory: "Requests in flight hold the server's memory budget (--max-memory), and this one does not fit now"
        case .queueFull: "Every worker is busy and the queue of waiting requests is full"
        case .clientShare: "Bodies still arriving from your address hold its share of the server's memory budget (--max-memory-per-client); finish or close those uploads first"
        case .shuttingDown: "The server is shutting down"
        }
        return APIError(status: 503, type: ProblemType.overloaded, title: "Service Unavailable",
                        detail: "\(why); retry after \(retryAfterSeconds) s.",
                        headers: [("Retry-After", "\(retryAfterSeconds)")])
    }

    /// The problem+json body.
    var body: [UInt8] {
        var w = JSONWriter(reservingCapacity: 256)
        w.beginObject()
        w.key("type"); w.string(type)
        w.key("title"); w.string(title)
        w.key("status"); w.integer(status)
        w.key("detail"); w.string(detail)
        if !errors.isEmpty {
            w.key("errors")
            w.beginArray()
            for e in errors {
                w.beginObject()
                w.key("pointer"); w.string(e.pointer)
                w.key("detail"); w.string(e.detail)
                w.endObject()
            }
            w.endArray()
        }
        w.endObject()
        return w.takeBytes()
    }
}

/// A pointer as a person reads it in a sentence: the root is "(body)".
private func display(_ pointer: String) -> String {
    pointer.isEmpty ? "(body)" : pointer
}

/// RFC 6901 token escaping: `~` → `~0`, `/` → `~1`.
func escapePointerToken(_ key: String) -> String {
    guard key.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return key }
    var out = ""
    for ch in key {
        switch ch {
        case "~": out += "~0"
        case "/": out += "~1"
        default: out.append(ch)
        }
    }
    return out
}
