// Cross-origin access for the browser notebook: which origin a response may name, and the
// preflight answer. Only configured origins are ever echoed; with none configured, no CORS header
// is sent and browsers on other origins are refused, which is the safe default.

import MicroHTTP

struct CORSPolicy: Sendable {
    let origins: [String]

    var allowsAny: Bool { origins.contains("*") }

    /// The headers every response carries for this request's Origin.
    func headers(for request: HTTPRequest) -> [(name: String, value: String)] {
        if allowsAny { return [("Access-Control-Allow-Origin", "*")] }
        guard let origin = request.header("origin"), origins.contains(origin) else {
            return origins.isEmpty ? [] : [("Vary", "Origin")]
        }
        return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    }

    /// The answer to `OPTIONS` on a route: 204 with the allowed methods and headers.
    func preflight(_ request: HTTPRequest, route: Route) -> HTTPResponse {
        var h = headers(for: request)
        h.append(("Allow", route.allowedMethods.joined(separator: ", ")))
        if !h.contains(where: { $0.name == "Access-Control-Allow-Origin" }) {
            return HTTPResponse(status: 204, headers: h)
        }
        h.append(("Access-Control-Allow-Methods", route.allowedMethods.joined(separator: ", ")))
        h.append(("Access-Control-Allow-Headers", request.header("access-control-request-headers") ?? "Content-Type"))
        h.append(("Access-Control-Max-Age", "600"))
        return HTTPResponse(status: 204, headers: h)
    }
}
