// The pool thread model with a handler that declines some requests as not quick: those are
// answered on threads of their own while the connection is suspended, so a single polling
// thread keeps serving everyone else, and shutdown waits for them rather than crashing MHD.
import HTTPTestClient
import Foundation
import Glibc
import MicroHTTP
import Testing

/// Answers `/slow` in `respond` after sleeping `delay`, and declines it in `respondIfQuick`;
/// anything else is quick. The `X-Thread` header tells which of the two answered.
struct SlowPathHandler: HTTPHandler {
    var delayMicroseconds: UInt32 = 400_000

    func respond(to request: HTTPRequest) -> HTTPResponse {
        if request.path == "/slow" { usleep(delayMicroseconds) }
        return HTTPResponse(status: 200, headers: [("X-Thread", "own")], body: request.body)
    }

    func respondIfQuick(to request: HTTPRequest) -> HTTPResponse? {
        request.path == "/slow" ? nil : HTTPResponse(status: 200, headers: [("X-Thread", "polling")], body: request.body)
    }

    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse { HTTPResponse(status: 413) }
}

@Suite(.timeLimit(.minutes(1))) struct OffloadTests {
    func startServer(model: ThreadModel = .pool) throws -> (HTTPServer, Int) {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.threads = 1  // one polling thread: anything blocking it would stall everyone
        configuration.threadModel = model
        configuration.accessLog = false
        let server = HTTPServer(configuration: configuration, handler: SlowPathHandler())
        return (server, try server.start())
    }

    @Test func aSlowRequestDoesNotStallQuickOnesOnTheSamePollingThread() throws {
        let (server, port) = try startServer()
        defer { _ = server.shutdown(timeoutSeconds: 5) }
        let slow = try RawHTTPConnection(port: port)
        let body = patternBytes(3000, seed: 3)
        try slow.send(Array(RawHTTP.head("POST", "/slow", headers: [("Content-Length", "3000")], keepAlive: true).utf8) + body)
        #expect(eventually { server.inFlightRequests == 1 })

        // While /slow sleeps 400 ms on its own thread, ten quick requests on another connection.
        let started = ContinuousClock.now
        let quick = try RawHTTPConnection(port: port)
        for i in 0..<10 {
            try quick.send(RawHTTP.head("GET", "/quick/\(i)", keepAlive: true))
            let response = try quick.readResponse()
            #expect(response.status == 200)
            #expect(response.header("x-thread") == "polling")
        }
        #expect(ContinuousClock.now - started < .milliseconds(300), "quick requests waited for the slow one")

        let answer = try slow.readResponse()
        #expect(answer.status == 200)
        #expect(answer.header("x-thread") == "own")
        #expect(answer.body == body)
        // The resumed connection stays usable for the next request (keep-alive).
        try slow.send(RawHTTP.head("GET", "/after"))
        #expect(try slow.readResponse().header("x-thread") == "polling")
        #expect(eventually { server.inFlightRequests == 0 })
    }

    @Test func threadPerConnectionAsksOnlyRespond() throws {
        let (server, port) = try startServer(model: .threadPerConnection)
        defer { _ = server.shutdown(timeoutSeconds: 5) }
        let response = try RawHTTP.exchange(port: port, "GET", "/quick")
        #expect(response.header("x-thread") == "own")
    }

    @Test func shutdownWaitsForAnOffloadedRequest() throws {
        let (server, port) = try startServer()
        let slow = try RawHTTPConnection(port: port)
        try slow.send(RawHTTP.head("GET", "/slow"))
        #expect(eventually { server.inFlightRequests == 1 })
        usleep(50_000)  // the request is on its worker thread, its connection suspended
        #expect(server.shutdown(timeoutSeconds: 5) == true)
        #expect(try slow.readResponse().status == 200)
    }

    @Test func aZeroDeadlineStillWaitsForTheWorkerBeforeStoppingMHD() throws {
        // MHD_stop_daemon panics (aborting the process) with a suspended connection.
        let (server, port) = try startServer()
        let slow = try RawHTTPConnection(port: port)
        try slow.send(RawHTTP.head("GET", "/slow"))
        #expect(eventually { server.inFlightRequests == 1 })
        usleep(50_000)
        let started = ContinuousClock.now
        _ = server.shutdown(timeoutSeconds: 0)
        #expect(ContinuousClock.now - started > .milliseconds(200), "stopped before the worker was done")
        #expect(server.inFlightRequests == 0)
    }
}
