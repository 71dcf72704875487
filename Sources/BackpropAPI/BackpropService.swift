// The service as an HTTP handler, in MicroHTTP's two phases: `prepare` reads, checks and plans a
// request once on the polling thread and answers at once what needs no computation (errors,
// health, the spec, the playground's files); a computing request becomes a Computation with its
// cost (work, memory), which MicroHTTP schedules. Routing, CORS and error mapping live here; each
// route's two phases are one function in Handlers.swift. Keeps no state between requests.

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

    /// Phase one: reads, checks and plans the request. A computation's cost is known here, before
    /// it runs; one over the memory budget or the response limit was refused with a 422 already.
    public func prepare(_ request: HTTPRequest) -> HandlerAnswer {
        do {
            switch try route(request) {
            case .answer(let response):
                return .now(withCORS(response, for: request))
            case .plan(let plan):
                let cost = ComputationCost(work: plan.work, memoryBytes: plan.memoryBytes)
                // The computation keeps the CORS headers, not the request: a copy of the request
                // (its body and headers) held until the answer is sent cost 24 retains and releases.
                let corsHeaders = cors.headers(for: request)
                return .later(Computation(cost: cost) { clientGone in
                    do throws(APIError) {
                        return withCORS(json(try plan.run(clientGone)), corsHeaders)
                    } catch {
                        return withCORS(problem(error), corsHeaders)
                    }
                })
            }
        } catch {
            if error.status == 403 { configuration.log("CORS: refused a preflight from origin \(request.header("origin") ?? "?") for \(request.path)") }
            return .now(withCORS(problem(error), for: request))
        }
    }

    /// Both phases at once, on this thread: for tests and in-process callers.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch prepare(request) {
        case .now(let response): return response
        case .later(let computation): return computation.run { false }
        }
    }

    /// Before the body is read: what a computing request's body will take to parse (its buffer,
    /// the parsed document and the matrices read from it, about 6 bytes per body byte at most for
    /// bodies of realistic numbers, measured by scripts/hardening/flood.py), so that `prepare`
    /// seldom needs more; just the buffer for anything else.
    public func admissionBytes(for head: HTTPRequest, bodyBytes: Int) -> Int {
        guard head.method == "POST", Route(path: head.path)?.computes == true else { return bodyBytes }
        return Plan.baseBytes + 6 * bodyBytes
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

    private func withCORS(_ response: HTTPResponse, for request: HTTPRequest) -> HTTPResponse {
        withCORS(response, cors.headers(for: request))
    }

    private func withCORS(_ response: HTTPResponse, _ corsHeaders: [(name: String, value: String)]) -> HTTPResponse {
        guard !corsHeaders.isEmpty else { return response }
        var response = response
        response.headers.append(contentsOf: corsHeaders)
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
        case .metrics:
            return .answer(HTTPResponse(status: 200, headers: [("Content-Type", ServerMetrics.contentType)],
                                        body: request.metrics?.prometheusText() ?? []))
        case .playground: return .answer(StaticFiles.page())
        case .playgroundFile: return .answer(try StaticFiles.playgroundFile(request.path))
        case .katex, .katexFont: return .answer(try StaticFiles.katex(request.path, directory: configuration.katexDirectory))
        }
    }

    /// The request body as a JSON object, handed to `handler` (the one place JSON text is read);
    /// the plan it gives back is checked against the response and memory limits.
    private func read(_ request: HTTPRequest, _ handler: (inout FieldObject) throws(APIError) -> Plan) throws(APIError) -> Plan {
        try RequestBody.check(request)
        let document: JSONDocument
        do {
            document = try RequestBody.parse(request.body, maxDepth: configuration.maxJSONDepth)
        } catch {
            throw RequestBody.unreadable(request, error)
        }
        // Read without keeping field names; again with them when a member is unknown (FieldObject).
        var body = try FieldObject(Field(document.root), namingFields: false)
        var plan: Plan
        do {
            plan = try handler(&body)
        } catch {
            guard body.lacksFieldNames else { throw error }
            var named = try FieldObject(Field(document.root), namingFields: true)
            plan = try handler(&named)
        }
        plan.memoryBytes = plan.memoryBytes.addingReportingOverflow(request.body.count).partialValue
        try plan.checkLimits(configuration)
        return plan
    }

    private func json(_ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: body)
    }

    private func problem(_ e: APIError) -> HTTPResponse {
        HTTPResponse(status: e.status, headers: [("Content-Type", "application/problem+json")] + e.headers, body: e.body)
    }
}

extension Route {
    /// Whether a POST here computes (and so may be heavy).
    var computes: Bool {
        switch self {
        case .forward, .gradients, .step, .explain, .initialize: true
        case .healthz, .openapi, .metrics, .playground, .playgroundFile, .katex, .katexFont: false
        }
    }
}
