// Many clients at once: every one of 200 simultaneous requests is answered with its own body,
// which would fail if per-request state leaked between connections or threads.
import HTTPTestClient
import Foundation
import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct ConcurrencyTests {
    /// Half of them are computations (`X-Work` over `inlineWork`): answered by the two workers
    /// while the polling threads answer the rest.
    @Test func twoHundredConcurrentRequests() throws {
        let clients = 200
        let fixture = try TestServer {
            $0.workers = 2
            $0.maxQueue = 200
            $0.perIPConnectionLimit = 256  // all clients share 127.0.0.1
        }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 2) }
        let port = fixture.port

        let barrier = StartingLine(runners: clients)
        let finished = DispatchGroup()
        let outcomes = Guarded<[Int: String]>([:])  // index → "ok" or what went wrong
        for index in 0..<clients {
            finished.enter()
            Thread {
                defer { finished.leave() }
                let body = patternBytes(2000 + index, seed: UInt32(index + 1))
                var outcome = "ok"
                do {
                    let connection = try RawHTTPConnection(port: port)
                    // All connect first, then all send: the requests really overlap.
                    barrier.arriveAndWait()
                    let work = index % 2 == 0 ? [("X-Work", "1000000")] : []
                    try connection.send(Array(RawHTTP.head(
                        "POST", "/c/\(index)", headers: [("Content-Length", "\(body.count)")] + work).utf8) + body)
                    let response = try connection.readResponse()
                    if response.status != 200 || response.header("x-path") != "/c/\(index)" || response.body != body {
                        outcome = "wrong answer: status \(response.status), path \(response.header("x-path") ?? "-")"
                    }
                } catch {
                    barrier.arrive()  // never leave the others waiting for a client that failed
                    outcome = "\(error)"
                }
                outcomes.withLock { $0[index] = outcome }
            }.start()
        }
        #expect(finished.wait(timeout: .now() + 45) == .success)
        let failures = outcomes.withLock { $0 }.filter { $0.value != "ok" }.sorted { $0.key < $1.key }
        #expect(outcomes.withLock { $0.count } == clients)
        #expect(failures.isEmpty, "\(failures.count) failed, e.g. \(failures.prefix(3).map { "#\($0.key): \($0.value)" })")
        #expect(eventually { fixture.server.inFlightRequests == 0 })
    }
}

/// Holds client threads until all have connected (or given up), without spinning.
final class StartingLine: @unchecked Sendable {
    // @unchecked: `arrived` is only touched while `condition` is locked.
    private let condition = NSCondition()
    private let runners: Int
    private var arrived = 0

    init(runners: Int) { self.runners = runners }

    func arrive() {
        condition.lock()
        arrived += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Arrives, then waits up to 20 s for everyone else.
    func arriveAndWait() {
        arrive()
        let deadline = Date(timeIntervalSinceNow: 20)
        condition.lock()
        while arrived < runners && condition.wait(until: deadline) {}
        condition.unlock()
    }
}
