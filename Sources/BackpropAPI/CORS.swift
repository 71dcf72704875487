// Cross-origin access for the browser notebook: which origin a response may name, and the
// preflight answer. Only configured origins are ever echoed; with none configured, no CORS header
// is sent and browsers on other origins are refused, which is the safe default.

import MicroHTTP

struct CORSPolicy: Sendable {
    let origins: [String]
    let allowsAny: Bool

    init(origins: [String]) {
        self.origins = origins
        allowsAny = origins.contains("*")
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

    /// The answer to `OPTIONS` on a route: 204 with the allowed methods and headers. Not the
    /// origin headers: `BackpropService.respond` adds those to every response, this one included,
    /// and a second `Access-Control-Allow-Origin` would make browsers refuse the preflight.
    func preflight(_ request: HTTPRequest, route: Route) -> HTTPResponse {
        let methods = route.allowedMethods.joined(separator: ", ")
        var h: [(name: String, value: String)] = [("Allow", methods)]
        guard allowsAny || allowedOrigin(of: request) != nil else {
            return HTTPResponse(status: 204, headers: h)
        }
        h.append(("Access-Control-Allow-Methods", methods))
        h.append(("Access-Control-Allow-Headers", request.header("access-control-request-headers") ?? "Content-Type"))
        h.append(("Access-Control-Max-Age", "600"))
        return HTTPResponse(status: 204, headers: h)
    }
}
