// Test fixtures: an echo handler that reflects what the server handed it, a way to start a
// server on 127.0.0.1 port 0, and bounded polling. Nothing here talks HTTP on the wire.
import HTTPTestClient
import Foundation
import Glibc
import MicroHTTP
import Synchronization

/// Answers with the request body as its body and the request's parts as `x-` headers, so a
/// test sees exactly what MicroHTTP delivered to the application. `X-Status` picks the status.
/// `X-Work: N` makes the answer a computation of N work units (on a worker when N is over the
/// server's inlineWork), `X-Memory: B` its memory cost, `X-Sleep-Ms: T` how long it takes.
struct EchoHandler: HTTPHandler {
    /// Incremented by `bodyTooLarge`, to prove which path answered.
    let tooLargeCalls = Counter()
    /// Computations run, and the most that ran at once.
    let runs = Counter()
    let concurrentRuns = Counter()
    let mostConcurrentRuns = Counter()
    /// Bytes reserved per body byte before the body is read (the protocol's default is 2).
    var admissionPerBodyByte = 2

    func admissionBytes(for head: HTTPRequest, bodyBytes: Int) -> Int {
        admissionPerBodyByte * bodyBytes
    }

    func prepare(_ request: HTTPRequest) -> HandlerAnswer {
        guard let work = request.header("x-work").flatMap({ Int($0) }) else { return .now(respond(to: request)) }
        let memory = request.header("x-memory").flatMap { Int($0) } ?? 0
        let sleep = request.header("x-sleep-ms").flatMap { UInt32($0) } ?? 0
        return .later(Computation(cost: ComputationCost(work: work, memoryBytes: memory)) { _ in
            runs.increment()
            mostConcurrentRuns.raise(to: concurrentRuns.increment())
            defer { concurrentRuns.decrement() }
            usleep(sleep * 1000)
            var response = respond(to: request)
            response.headers.append(("X-Computed", "yes"))
            return response
        })
    }

    func routeLabel(for request: HTTPRequest) -> String { request.path }

    func respond(to request: HTTPRequest) -> HTTPResponse {
        var headers: [(name: String, value: String)] = [
            ("X-Method", request.method),
            ("X-Path", request.path),
            ("X-Query", request.query ?? "<none>"),
            ("X-Header-Names", request.headers.map(\.name).joined(separator: ",")),
        ]
        if let echo = request.header("X-ECHO") { headers.append(("X-Echoed", echo)) }
        // A framing header the server must ignore rather than send next to its own.
        headers.append(("Content-Length", "999999"))
        let status = request.header("x-status").flatMap { Int($0) } ?? 200
        return HTTPResponse(status: status, headers: headers, body: request.body)
    }

    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse {
        tooLargeCalls.increment()
        return HTTPResponse(status: 413, headers: [("Content-Type", "text/plain")],
                            body: Array("limit=\(limit) body=\(request.body.count) path=\(request.path)".utf8))
    }
}

final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    /// Adds one; returns the new count.
    @discardableResult
    func increment() -> Int { value.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue }
    func decrement() { value.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
    /// Sets the count to `candidate` if that is larger.
    func raise(to candidate: Int) { value.max(candidate, ordering: .sequentiallyConsistent) }
    var count: Int { value.load(ordering: .sequentiallyConsistent) }
}

/// A started server on 127.0.0.1 and a free port, plus its handler.
struct TestServer {
    let server: HTTPServer
    let port: Int
    let handler: EchoHandler

    init(handler: EchoHandler = EchoHandler(), _ adjust: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.accessLog = false  // keep test output readable; one test turns it on
        configuration.maxMemoryBytes = 1 << 30  // not this machine's default: tests set what they test
        adjust(&configuration)
        self.handler = handler
        server = HTTPServer(configuration: configuration, handler: handler)
        port = try server.start()
    }
}

/// Polls `condition` every millisecond until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double = 5, _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if condition() { return true }
        usleep(1_000)
    }
    return condition()
}

/// Deterministic, non-repeating-looking bytes, so a misplaced chunk cannot go unnoticed.
func patternBytes(_ count: Int, seed: UInt32 = 1) -> [UInt8] {
    var state = seed &* 2_654_435_761 | 1
    return (0..<count).map { _ in
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        return UInt8(truncatingIfNeeded: state)
    }
}

/// A value behind an NSLock, for results gathered from client threads. Not
/// Synchronization.Mutex: ThreadSanitizer on Linux cannot see its futex waits and reports
/// false races under contention.
final class Guarded<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value  // only touched while `lock` is held
    init(_ value: Value) { self.value = value }
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
