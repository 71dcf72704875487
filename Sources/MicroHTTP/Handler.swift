// The one thing an application gives the server: a Sendable value that turns requests into
// answers, in two phases. `prepare` runs on the polling thread once the body is in (parse and
// validate, once) and gives either the response or a computation with its estimated cost; the
// server decides where and when a computation runs (Scheduler.swift). The handler never sees a
// thread, a queue or the memory budget: scheduling policy lives in the server, as numbers the
// operator sets (ServerConfiguration).

/// What a computation will cost, estimated before it runs.
public struct ComputationCost: Sendable, Equatable {
    /// Time, in the application's work units (for Backprop: `Limits`' units, about a nanosecond
    /// each). Computations up to `ServerConfiguration.inlineWork` run on the polling thread.
    public var work: Int
    /// The most memory the request holds at once from its admission until its response has been
    /// sent: the body, the parsed values, the intermediates and the response. Reserved against
    /// `ServerConfiguration.maxMemoryBytes` before the computation runs.
    public var memoryBytes: Int

    public init(work: Int, memoryBytes: Int) {
        self.work = work
        self.memoryBytes = memoryBytes
    }
}

/// A response still to be computed, and what computing it will cost.
public struct Computation: Sendable {
    public var cost: ComputationCost
    /// Computes the response, on a worker thread (or on the polling thread when `cost.work` is
    /// small). `clientGone` says whether the client has closed its connection (or shut down its
    /// sending side), at the price of one poll(2), 0.4–0.6 µs measured: a long computation may ask
    /// between steps, every millisecond or so of work, and stop early, since its answer would
    /// never be read.
    public var run: @Sendable (_ clientGone: @Sendable () -> Bool) -> HTTPResponse

    public init(cost: ComputationCost, run: @escaping @Sendable (_ clientGone: @Sendable () -> Bool) -> HTTPResponse) {
        self.cost = cost
        self.run = run
    }
}

/// What `prepare` gives back: the answer, or the work that produces it.
public enum HandlerAnswer: Sendable {
    /// The response, ready: sent at once from the polling thread.
    case now(HTTPResponse)
    /// A computation, scheduled against the memory budget and the workers.
    case later(Computation)
}

/// Why the server answers 503 instead of serving a request. The raw value is the `reason` label
/// of `backprop_requests_rejected_total`.
public enum OverloadReason: String, Sendable, CaseIterable {
    /// The request does not fit the memory budget now and may not wait for it: the queue is
    /// full, or it needs more than the whole budget, or its waiting could keep others waiting forever.
    case memory
    /// Its memory fits, but every worker is busy and the queue is full.
    case queueFull = "queue_full"
    /// Its client already holds its share of the budget for bodies still arriving
    /// (`ServerConfiguration.maxMemoryPerClientBytes`); refused before the body is read.
    case clientShare = "client_share"
    /// The server is stopping and its drain deadline has passed.
    case shuttingDown = "shutdown"
}

/// The application side of an `HTTPServer`.
public protocol HTTPHandler: Sendable {
    /// Bytes to reserve for a request before its body is read, given the head and the body's
    /// size (Content-Length; for a chunked body, the bytes so far). It should cover the body's
    /// buffer and its parsing, and may cover the whole request when that is typical, so that
    /// `prepare` seldom needs more. 0 admits without a reservation. Called on the polling thread.
    func admissionBytes(for head: HTTPRequest, bodyBytes: Int) -> Int

    /// Called on the polling thread once the whole body has arrived: answers now, or returns the
    /// computation that will. Must be quick (parsing and validating, no heavy work): the polling
    /// thread serves many connections.
    func prepare(_ request: HTTPRequest) -> HandlerAnswer

    /// Called instead of `prepare` when the body exceeds `maxBodyBytes`: either Content-Length
    /// says so (then this is answered in the first callback, before the body is read, skipping
    /// `100 Continue`) or a chunked body grows past the limit (then the server stops buffering,
    /// discards the rest, and answers once it has arrived). `request.body` is empty here.
    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse

    /// The 503 for a request the server will not serve now, with `Retry-After:
    /// retryAfterSeconds`. Unless a chunked body outgrew the budget, the body has not been read
    /// and will not be: `request.body` is empty.
    func overloaded(_ request: HTTPRequest, reason: OverloadReason, retryAfterSeconds: Int) -> HTTPResponse

    /// The request's route as a metrics label: a few fixed values (every unknown path the same
    /// one), never the raw path, whose variety would make the metrics unbounded.
    func routeLabel(for request: HTTPRequest) -> String
}

extension HTTPHandler {
    /// Twice the body: its buffer, and parsed values about as large as their text.
    public func admissionBytes(for head: HTTPRequest, bodyBytes: Int) -> Int {
        2 * bodyBytes
    }

    /// A plain-text 503 with `Retry-After`.
    public func overloaded(_ request: HTTPRequest, reason: OverloadReason, retryAfterSeconds: Int) -> HTTPResponse {
        HTTPResponse(status: 503, headers: [("Retry-After", "\(retryAfterSeconds)"), ("Content-Type", "text/plain")],
                     body: Array("overloaded (\(reason.rawValue)); retry after \(retryAfterSeconds) s\n".utf8))
    }
}
