// Cross-origin access for the browser notebook: which origins may call, checked when the server
// starts so a typo cannot fail silently; the headers of every answer; and the preflight answer,
// 204 for an allowed origin and 403 problem+json (logged) for any other. With no origin
// configured, no CORS header is sent and every cross-origin preflight is refused: the safe default.

import MicroHTTP

struct CORSPolicy: Sendable {
    let origins: [String]
    let allowsAny: Bool

    /// The policy for origins already checked by `CORSPolicy.checkedOrigins`.
    init(origins: [String]) {
        self.origins = origins
        allowsAny = origins.contains("*")
    }

    /// Every entry of `list` (each possibly a comma-separated list itself, as the environment
    /// variable gives them), trimmed and checked: `*`, or `scheme://host[:port]` exactly as a
    /// browser sends it in `Origin` (http or https, lowercase, no path, no trailing slash).
    public static func checkedOrigins(_ list: [String]) throws(CORSOriginError) -> [String] {
        var origins: [String] = []
        for entry in list {
            for part in entry.split(separator: ",", omittingEmptySubsequences: false) {
                let origin = String(part.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
                if let problem = originProblem(origin) { throw CORSOriginError(origin: origin, problem: problem) }
                if !origins.contains(origin) { origins.append(origin) }
            }
        }
        return origins
    }

    /// What is wrong with `origin` as a browser would compare it, or nil when nothing is.
    private static func originProblem(_ origin: String) -> String? {
        if origin == "*" { return nil }
        if origin.isEmpty { return "an empty origin (two commas in a row, or a trailing comma?)" }
        let parts = origin.split(separator: "://", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            return "expected scheme://host[:port], e.g. http://localhost:3000"
        }
        let scheme = parts[0]
        guard scheme == "http" || scheme == "https" else {
            return "the scheme must be http or https, found \"\(scheme)\""
        }
        var rest = parts[1]
        if let slash = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) {
            let bare = String(origin[..<slash])
            return "an origin has no path, query or trailing slash (browsers send \"\(bare)\"); use \(bare)"
        }
        if origin != origin.lowercased() {
            return "browsers send origins in lowercase; use \(origin.lowercased())"
        }
        // host[:port], the host possibly an [IPv6] literal.
        var host = rest
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return "an IPv6 host needs its closing ]" }
            host = rest[...close]
            rest = rest[rest.index(after: close)...]
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            rest = rest[colon...]
        } else {
            rest = rest[rest.endIndex...]
        }
        if host.isEmpty || !host.allSatisfy({ $0.isLetter || $0.isNumber || "-.[]:".contains($0) }) {
            return "\"\(host)\" is not a host name"
        }
        if !rest.isEmpty {
            guard rest.first == ":", let port = Int(rest.dropFirst()), (1...65535).contains(port) else {
                return "the port must be a number in 1…65535, found \"\(rest.dropFirst())\""
            }
        }
        return nil
    }

    /// The request's Origin when it may call us (nil for `*`, which needs no echo).
    private func allowedOrigin(of request: HTTPRequest) -> String? {
        guard let origin = request.header("origin"), origins.contains(origin) else { return nil }
        return origin
    }

    /// The headers every response carries for this request's Origin.
    func headers(for request: HTTPRequest) -> [(name: String, value: String)] {
        if origins.isEmpty { return [] }  // the default: no lookup of Origin at all
        if allowsAny { return [("Access-Control-Allow-Origin", "*")] }
        guard let origin = allowedOrigin(of: request) else { return [("Vary", "Origin")] }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    }

    /// The answer to `OPTIONS` on a route: 204 with the allowed methods and headers; for a
    /// preflight (it has an Origin) from an origin that may not call, 403. Not the origin
    /// headers: `BackpropService.respond` adds those to every response, this one included,
    /// and a second `Access-Control-Allow-Origin` would make browsers refuse the preflight.
    func preflight(_ request: HTTPRequest, route: Route) throws(APIError) -> HTTPResponse {
        let methods = route.allowedMethods.joined(separator: ", ")
        var h: [(name: String, value: String)] = [("Allow", methods)]
        if let origin = request.header("origin"), !allowsAny, allowedOrigin(of: request) == nil {
            throw .originNotAllowed(origin, allowed: origins)
        }
        if request.header("origin") != nil {
            h.append(("Access-Control-Allow-Methods", methods))
            h.append(("Access-Control-Allow-Headers", request.header("access-control-request-headers") ?? "Content-Type"))
            h.append(("Access-Control-Max-Age", "600"))
        }
        return HTTPResponse(status: 204, headers: h)
    }
}

/// A `--cors-origin` value that browsers would never send as an Origin.
public struct CORSOriginError: Error, CustomStringConvertible {
    public var origin: String
    public var problem: String

    public var description: String { "--cors-origin \"\(origin)\": \(problem)" }
}

extension APIError {
    static func originNotAllowed(_ origin: String, allowed: [String]) -> APIError {
        let how = allowed.isEmpty ? "this server allows no cross-origin calls (start it with --cors-origin \(origin) to allow this one)"
                                  : "the allowed origins are \(allowed.joined(separator: ", "))"
        return APIError(status: 403, title: "Forbidden", detail: "Origin \(origin) may not call this service: \(how).")
    }
}
