// The service as an HTTP handler: a request value in, a response value out. Reading the body,
// routing, CORS and error mapping live here; each route's two phases (read and check, then
// compute) are one function in Handlers.swift. Keeps no state between requests.

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

    /// What a request comes to once it has been read and checked: an answer, or a computation
    /// whose work is known before it runs.
    public enum Prepared: Sendable {
        case response(HTTPResponse)
        /// `work` in the limits' units (about a nanosecond each); `run` computes the answer.
        case computation(work: Int, run: @Sendable () -> HTTPResponse)
    }

    /// Phase one: reads, checks and plans the request, once. Every answer that needs no
    /// computation (errors, health, preflight, the spec) comes back at once.
    public func prepare(_ request: HTTPRequest) -> Prepared {
        do {
            switch try route(request) {
            case .answer(let response):
                return .response(withCORS(response, for: request))
            case .plan(let plan):
                return .computation(work: plan.work) {
                    do throws(APIError) { return withCORS(json(try plan.run()), for: request) } catch { return withCORS(problem(error), for: request) }
                }
            }
        } catch {
            if error.status == 403 { configuration.log("CORS: refused a preflight from origin \(request.header("origin") ?? "?") for \(request.path)") }
            return .response(withCORS(problem(error), for: request))
        }
    }

    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch prepare(request) {
        case .response(let response): return response
        case .computation(_, let run): return run()
        }
    }

    /// Answers on the polling thread what needs no computation, or a computation of at most
    /// `quickWork` (about 0.2 ms) with a small body; nil for the rest, which the server then
    /// answers on a thread of its own.
    public func respondIfQuick(to request: HTTPRequest) -> HTTPResponse? {
        guard request.body.count <= Self.quickBodyBytes else { return nil }
        switch prepare(request) {
        case .response(let response): return response
        case .computation(let work, let run): return work <= Self.quickWork ? run() : nil
        }
    }

    /// Bodies up to this size are tried quickly; a larger one takes a while to parse alone
    /// (3 MB ≈ 5 ms) and goes to a thread of its own at once.
    static let quickBodyBytes = 64 << 10
    /// About 0.2 ms: the work unit is about a nanosecond (Limits.maxWork).
    static let quickWork = 200_000

    public func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        withCORS(problem(.bodyTooLarge(limit: limit)), for: request)
    }

    private func withCORS(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        var response = response
        response.headers.append(contentsOf: cors.headers(for: request))
        return response
    }

    private enum Routed {
        case answer(HTTPResponse)
        case plan(Plan)
    }

    /// The route table, as one exhaustive switch.
    private func route(_ request: HTTPRequest) throws(APIError) -> Routed {
        guard let route = Route(path: request.path) else { throw .notFound(request.path) }
        if request.method == "OPTIONS" { return .answer(try cors.preflight(request, route: route)) }
        guard route.allowedMethods.contains(request.method) else { throw .methodNotAllowed(request.method, route) }

        switch route {
        case .forward: return .plan(try read(request) { b throws(APIError) in try Handlers.forward(&b, configuration) })
        case .gradients: return .plan(try read(request) { b throws(APIError) in try Handlers.gradients(&b, configuration) })
        case .step: return .plan(try read(request) { b throws(APIError) in try Handlers.step(&b, configuration) })
        case .explain: return .plan(try read(request) { b throws(APIError) in try Handlers.explain(&b, configuration) })
        case .initialize: return .plan(try read(request) { b throws(APIError) in try Handlers.initialize(&b, configuration) })
        case .healthz: return .answer(json(ResponseBody.health(inFlight: max(0, request.requestsInFlight - 1))))
        case .openapi: return .answer(HTTPResponse(status: 200, headers: [("Content-Type", "application/yaml")], body: OpenAPIDocument.bytes))
        case .playground: return .answer(StaticFiles.page())
        case .playgroundFile: return .answer(try StaticFiles.playgroundFile(request.path))
        case .katex, .katexFont: return .answer(try StaticFiles.katex(request.path, directory: configuration.katexDirectory))
        }
    }

    /// The request body as a JSON object, handed to `handler` (the one place JSON text is read).
    private func read(_ request: HTTPRequest, _ handler: (inout FieldObject) throws(APIError) -> Plan) throws(APIError) -> Plan {
        try RequestBody.check(request)
        let document: JSONDocument
        do {
            document = try RequestBody.parse(request.body, maxDepth: configuration.maxJSONDepth)
        } catch {
            throw RequestBody.unreadable(request, error)
        }
        var body = try FieldObject(Field(document.root))
        return try handler(&body)
    }

    private func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func problem(_ e: APIError) -> HTTPResponse {
        HTTPResponse(status: e.status, headers: [("Content-Type", "application/problem+json")] + e.headers, body: e.body)
    }
}
