// PROVISIONAL (issue 13): the two-phase interface of MicroHTTP (`admissionBytes`, `prepare`)
// served by the one-phase routes of today, until the edge parses and validates once and returns
// a computation with its own estimate per route. Everything to replace is in this file:
// - the cost of a computation is guessed from the body's size, not from the network and samples;
// - "is it cheap?" is answered by trying the request under small limits on the polling thread,
//   so a request that is not cheap is parsed twice (once here, once on the worker);
// - there is no 422 for a response over `maxResponseBytes` nor for a cost over `maxMemoryBytes`.

import MicroHTTP

extension BackpropService {
    /// Peak resident memory of a computing request per byte of its body, measured for the
    /// largest bodies (scripts/hardening/flood.py): a 29 MiB /gradients (784-1750-10) peaked at
    /// ×2.3, a 3.1 MB /step (784-128-10, batch 64, full answer) at ×5.8 (its answer, 4.9 MB, is
    /// larger than its body). ×6 covers both, so a body admitted is a request that can run.
    static let provisionalBytesPerBodyByte = 6
    /// What any request holds besides its body: its state, headers, a small answer.
    static let provisionalBaseBytes = 64 << 10

    /// Before the body is read: the whole request's memory, estimated from the body's size, for
    /// the routes that compute; just the body's buffer for the others.
    public func admissionBytes(for head: HTTPRequest, bodyBytes: Int) -> Int {
        guard head.method == "POST", Route(path: head.path)?.computes == true else { return bodyBytes }
        return Self.provisionalBaseBytes + Self.provisionalBytesPerBodyByte * bodyBytes
    }

    /// The answer now for everything but a computing POST that is not cheap, which becomes a
    /// computation for a worker.
    public func prepare(_ request: HTTPRequest) -> HandlerAnswer {
        guard request.method == "POST", Route(path: request.path)?.computes == true else {
            return .now(respond(to: request))
        }
        if request.body.count <= Self.cheapBodyBytes, let answer = cheapAnswer(request) {
            return .now(answer)
        }
        let cost = ComputationCost(
            work: configuration.limits.maxWork,  // unknown until parsed: the most it may be
            memoryBytes: admissionBytes(for: request, bodyBytes: request.body.count))
        return .later(Computation(cost: cost) { _ in self.respond(to: request) })
    }

    /// Bodies up to this size are tried under the cheap limits; a larger one takes a while to
    /// parse alone (3 MB ≈ 5 ms).
    static let cheapBodyBytes = 64 << 10

    /// The answer under limits of about 0.2 ms of work, or nil when the request exceeds them. The
    /// limits only decide: an answer given here is the one `respond(to:)` gives, because a
    /// request within them is within the configured ones, and a limit error from them is never
    /// sent (the worker reports the configured limits, if any is exceeded).
    func cheapAnswer(_ request: HTTPRequest) -> HTTPResponse? {
        var cheap = configuration
        // About 0.2 ms: the work unit is about a nanosecond (Limits.maxWork), and /init's cost
        // is its parameters, each drawn once.
        cheap.limits.maxWork = min(cheap.limits.maxWork, 200_000)
        cheap.limits.maxParameters = min(cheap.limits.maxParameters, 50_000)
        let response: HTTPResponse
        do {
            response = try route(request, cheap)
        } catch where error.type == ProblemType.limitExceeded {
            return nil
        } catch {
            response = problem(error)
        }
        return withCORS(response, for: request)
    }
}

extension Route {
    /// Whether a POST here computes (and so may be heavy).
    var computes: Bool {
        switch self {
        case .forward, .gradients, .step, .explain, .initialize: true
        case .healthz, .openapi, .metrics: false
        }
    }
}
