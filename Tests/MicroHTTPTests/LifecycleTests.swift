// Start and stop: the bound port is real, a taken port is a clear error, shutdown waits for a
// request still uploading and then refuses connections, and a deadline cuts stragglers off.
import HTTPTestClient
import Foundation
import Glibc
import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct LifecycleTests {
    @Test func shutdownWaitsForAnUploadInProgress() throws {
        let fixture = try TestServer()
        let body = patternBytes(2000, seed: 9)
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/upload", headers: [("Content-Length", "2000")]))
        try connection.send(Array(body[..<1000]))
        #expect(eventually { fixture.server.inFlightRequests == 1 })

        let verdict = Guarded<Bool?>(nil)
        let server = fixture.server
        Thread { let drained = server.shutdown(timeoutSeconds: 10); verdict.withLock { $0 = drained } }.start()
        // Shutdown must still be waiting for the half-sent request, not have cut it off.
        usleep(300_000)
        #expect(verdict.withLock { $0 } == nil)

        try connection.send(Array(body[1000...]))
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == body)

        #expect(eventually(within: 10) { verdict.withLock { $0 } != nil })
        #expect(verdict.withLock { $0 } == true)
        #expect(fixture.server.inFlightRequests == 0)
        // The listening socket is closed: nothing accepts, not even the kernel's backlog.
        do {
            _ = try RawHTTPConnection(port: fixture.port)
            Issue.record("connected to a server that was shut down")
        } catch let error as RawHTTPError {
            #expect(error.errnoCode == ECONNREFUSED)
        }
    }

    @Test func shutdownDeadlineCutsOffAStalledUpload() throws {
        let fixture = try TestServer()
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/stalled", headers: [("Content-Length", "2000")]))
        try connection.send(patternBytes(10))
        #expect(eventually { fixture.server.inFlightRequests == 1 })

        let started = ContinuousClock.now
        #expect(fixture.server.shutdown(timeoutSeconds: 0.3) == false)
        #expect(ContinuousClock.now - started < .seconds(5))
        // Stopping the daemon completed (and released) the stalled request.
        #expect(fixture.server.inFlightRequests == 0)
        // ...and closed its connection without an answer.
        #expect(throws: RawHTTPError.self) { try connection.readResponse() }
    }

    @Test func inFlightReturnsToZeroAfterRequests() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        #expect(fixture.server.inFlightRequests == 0)
        for index in 0..<5 {
            _ = try RawHTTP.exchange(port: fixture.port, "POST", "/\(index)", body: patternBytes(100))
        }
        #expect(eventually { fixture.server.inFlightRequests == 0 })
    }

    @Test func startReturnsTheRealPortAndATakenPortIsAClearError() throws {
        let first = try TestServer()
        defer { _ = first.server.shutdown(timeoutSeconds: 1) }
        #expect(first.port > 0 && first.port <= 65535)

        var configuration = ServerConfiguration()
        configuration.port = first.port
        configuration.accessLog = false
        let second = HTTPServer(configuration: configuration, handler: EchoHandler())
        do {
            _ = try second.start()
            Issue.record("a second server started on taken port \(first.port)")
        } catch let error as HTTPServerError {
            guard case .startFailed(_, let port, let reason) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(port == first.port)
            #expect(reason.contains("in use"), "reason: \(reason)")
        }
        // The first server is unaffected.
        #expect(try RawHTTP.exchange(port: first.port, "GET", "/still").status == 200)
    }

    @Test func aServerStartsOnceAndShutsDownIdempotently() throws {
        let fixture = try TestServer()
        #expect(throws: HTTPServerError.alreadyStarted) { try fixture.server.start() }
        #expect(fixture.server.shutdown(timeoutSeconds: 1) == true)
        #expect(fixture.server.shutdown(timeoutSeconds: 1) == true)
        #expect(throws: HTTPServerError.alreadyStarted) { try fixture.server.start() }
    }

    @Test func aServerDroppedWithoutShutdownStopsListening() throws {
        var fixture: TestServer? = try TestServer()
        let port = fixture!.port
        #expect(try RawHTTP.exchange(port: port, "GET", "/alive").status == 200)
        fixture = nil  // deinit stops the daemon
        #expect(throws: RawHTTPError.self) { try RawHTTPConnection(port: port) }
    }

    @Test func idleConnectionsAreClosedAfterTheTimeout() throws {
        let fixture = try TestServer { $0.connectionTimeoutSeconds = 1 }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port, timeoutSeconds: 5)
        let started = ContinuousClock.now
        #expect(connection.waitForClose())  // recv sees the server's close, not our 5 s timeout
        #expect(ContinuousClock.now - started < .seconds(4))
    }
}
