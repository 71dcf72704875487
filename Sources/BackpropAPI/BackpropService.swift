// The service as an HTTP handler: a request value in, a response value out. Routes, CORS and
// error mapping live here; each route's work is one function in Handlers.swift. Runs on the HTTP
// server's threads and keeps no state between requests.

import Backprop
import JSONCodec
import MicroHTTP

/// The Backprop service. Stateless: every request carries its whole network.
public struct BackpropService: HTTPHandler {
    public let configuration: ServiceConfiguration
    let cors: CORSPolicy
    /// `configuration` with the limits of a quick answer (`respondIfQuick`).
    let quickConfiguration: ServiceConfiguration

    /// Bodies up to this size are tried quickly; a larger one takes a while to parse alone
    /// (3 MB ≈ 5 ms) and goes to a thread of its own at once.
    static let quickBodyBytes = 64 << 10

    public init(configuration: ServiceConfiguration = .init()) {
        self.configuration = configuration
        self.cors = CORSPolicy(origins: configuration.corsOrigins)
        var quick = configuration
        // About 0.2 ms: the work unit is about a nanosecond (Limits.maxWork), and /init's cost
        // is its parameters, each drawn once.
        quick.limits.maxWork = min(quick.limits.maxWork, 200_000)
        quick.limits.maxParameters = min(quick.limits.maxParameters, 50_000)
        quickConfiguration = quick
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

    /// The answer under the quick limits, or nil when the request exceeds them and so may take
    /// long (the server then calls `respond(to:)` on a thread of its own). The limits only
    /// decide: every answer given here is the one `respond(to:)` gives, because a request
    /// within the quick limits is within the configured ones, and a limit error from the quick
    /// limits is never sent (the full path reports the configured limits, if any is exceeded).
    public func respondIfQuick(to request: HTTPRequest) -> HTTPResponse? {
        guard request.body.count <= Self.quickBodyBytes else { return nil }
        let response: HTTPResponse
        do {
            response = try route(request, quickConfiguration)
        } catch where error.type == ProblemType.limitExceeded {
            return nil
        } catch {
            response = problem(error)
        }
        return withCORS(response, for: request)
    }

    public func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        withCORS(problem(.bodyTooLarge(limit: limit)), for: request)
    }

    private func withCORS(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        var response = response
        response.headers.append(contentsOf: cors.headers(for: request))
        return response
    }

    /// The route table, as one exhaustive switch.
    private func route(_ request: HTTPRequest, _ configuration: ServiceConfiguration) throws(APIError) -> HTTPResponse {
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
        case .playground: return StaticFiles.page()
        case .playgroundFile: return try StaticFiles.playgroundFile(request.path)
        case .katex, .katexFont: return try StaticFiles.katex(request.path, directory: configuration.katexDirectory)
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

    private func problem(_ e: APIError) -> HTTPResponse {
        HTTPResponse(status: e.status, headers: [("Content-Type", "application/problem+json")] + e.headers, body: e.body)
    }
}
