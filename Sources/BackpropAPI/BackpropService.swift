// The service as an HTTP handler: a request value in, a response value out. Routes, CORS and
// error mapping live here; each route's work is one function in Handlers.swift. Runs on the HTTP
// server's threads and keeps no state between requests. How a request is split into `prepare`
// and a computation is, for now, ProvisionalPrepare.swift.

import Backprop
import JSONCodec
import MicroHTTP

/// The Backprop service. Stateless: every request carries its whole network.
public struct BackpropService: HTTPHandler {
    public let configuration: ServiceConfiguration
    let cors: CORSPolicy

    public init(configuration: ServiceConfiguration = .init()) {
        self.configuration = configuration
        self.cors = CORSPolicy(origins: configuration.corsOrigins)
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        let response: HTTPResponse
        do {
            response = try route(request, configuration)
        } catch {
            response = problem(error)
        }
        return withCORS(response, for: request)
    }

    public func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        withCORS(problem(.bodyTooLarge(limit: limit)), for: request)
    }

    public func overloaded(_ request: HTTPRequest, reason: OverloadReason, retryAfterSeconds: Int) -> HTTPResponse {
        withCORS(problem(.overloaded(reason, retryAfterSeconds: retryAfterSeconds)), for: request)
    }

    /// The route's path for a known route, `unknown` for any other path.
    public func routeLabel(for request: HTTPRequest) -> String {
        Route(path: request.path)?.path ?? "unknown"
    }

    func withCORS(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        var response = response
        response.headers.append(contentsOf: cors.headers(for: request))
        return response
    }

    /// The route table, as one exhaustive switch.
    func route(_ request: HTTPRequest, _ configuration: ServiceConfiguration) throws(APIError) -> HTTPResponse {
        guard let route = Route(path: request.path) else { throw .notFound(request.path) }
        if request.method == "OPTIONS" { return cors.preflight(request, route: route) }
        guard route.allowedMethods.contains(request.method) else { throw .methodNotAllowed(request.method, route) }

        switch route {
        case .forward: return json(try Handlers.forward(try body(request), configuration))
        case .gradients: return json(try Handlers.gradients(try body(request), configuration))
        case .step: return json(try Handlers.step(try body(request), configuration))
        case .explain: return json(try Handlers.explain(try body(request), configuration))
        case .initialize: return json(try Handlers.initialize(try body(request), configuration))
        case .healthz: return json(ResponseBody.health(inFlight: max(0, request.requestsInFlight - 1)))
        case .openapi: return HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml")], body: OpenAPIDocument.bytes)
        case .metrics:
            return HTTPResponse(status: 200, headers: [("Content-Type", ServerMetrics.contentType)],
                                body: request.metrics?.prometheusText() ?? [])
        }
    }

    /// The request body parsed as a JSON object (the one place JSON text is read).
    private func body(_ request: HTTPRequest) throws(APIError) -> FieldObject {
        let document: JSONDocument
        do {
            document = try JSONReader.parseDocument(request.body, limits: .init(maxDepth: configuration.maxJSONDepth))
        } catch {
            if request.body.isEmpty {
                throw APIError(status: 400, type: ProblemType.malformedJSON, title: "Malformed JSON",
                               detail: "The body is empty; send a JSON object (see GET /openapi.yaml).")
            }
            throw .malformedJSON(error)
        }
        return try Field(document.root).object()
    }

    private func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    func problem(_ e: APIError) -> HTTPResponse {
        HTTPResponse(status: e.status, headers: [("Content-Type", "application/problem+json")] + e.headers, body: e.body)
    }
}
