// Each client's share of the budget for bodies still arriving, through a live server: a client
// that stalls its uploads cannot hold more than its share, and gets 503 (client_share) for more
// before their bodies are read, while a client at another address is served; the share comes back
// when a body is complete or its upload is abandoned. Clients bind 127.0.0.2 and 127.0.0.3
// (loopback) to be told apart. EchoHandler reserves 2 bytes per body byte.
import HTTPTestClient
import Glibc
@testable import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct ClientShareServerTests {
    static let greedy = "127.0.0.2"
    static let other = "127.0.0.3"

    /// Budget 100 000, so a share of 25 000 (the default quarter): 12 500 body bytes.
    func server() throws -> TestServer {
        try TestServer { $0.maxMemoryBytes = 100_000 }
    }

    /// A head announcing `length` bytes and the first 10 of them, then nothing: a stalled upload.
    func stall(_ length: Int, port: Int, from source: String = greedy) throws -> RawHTTPConnection {
        let connection = try RawHTTPConnection(port: port, source: source)
        try connection.send(Array(RawHTTP.head("POST", "/stalled", headers: [("Content-Length", "\(length)")]).utf8)
                            + patternBytes(10))
        return connection
    }

    /// Asks with `Expect: 100-continue`: a 503 before a 100 proves the body was not wanted.
    func firstAnswer(toAnnouncing length: Int, port: Int, from source: String) throws -> (RawHTTPConnection, RawResponse) {
        let connection = try RawHTTPConnection(port: port, source: source)
        try connection.send(RawHTTP.head("POST", "/next", headers: [("Content-Length", "\(length)"), ("Expect", "100-continue")]))
        return (connection, try connection.readResponse())
    }

    func reserved(_ fixture: TestServer) -> Int { fixture.server.metrics.reservedBytes.load(ordering: .relaxed) }

    @Test func aClientCannotHoldMoreThanItsShareWhileAnotherIsServed() throws {
        let fixture = try server()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let stalled = try stall(10_000, port: fixture.port)  // 20 000 of its 25 000
        #expect(eventually { reserved(fixture) == 20_000 })

        // 20 000 + 10 000 is over the share: refused before the body is read.
        let (_, refused) = try firstAnswer(toAnnouncing: 5_000, port: fixture.port, from: Self.greedy)
        #expect(refused.status == 503)
        #expect(refused.text.contains("client_share"))
        #expect(refused.header("retry-after") != nil)
        // Within the share, the same client is still served.
        let small = patternBytes(2_000, seed: 2)
        let within = try RawHTTP.exchange(port: fixture.port, "POST", "/within", body: small, source: Self.greedy)
        #expect(within.status == 200 && within.body == small)

        // Another address: the budget has room, and its share is its own.
        let body = patternBytes(10_000, seed: 3)
        let served = try RawHTTP.exchange(port: fixture.port, "POST", "/other", body: body, source: Self.other)
        #expect(served.status == 200 && served.body == body)
        #expect(String(decoding: fixture.server.metrics.prometheusText(), as: UTF8.self)
            .contains("backprop_requests_rejected_total{reason=\"client_share\"} 1\n"))
        stalled.close()
    }

    /// Otherwise a body whose reservation is over the share could never be sent.
    @Test func aClientHoldingNothingMayStartOneBodyLargerThanItsShare() throws {
        let fixture = try server()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(20_000, seed: 4)  // 40 000 reserved, over the 25 000 share
        let served = try RawHTTP.exchange(port: fixture.port, "POST", "/large", body: body, source: Self.greedy)
        #expect(served.status == 200 && served.body == body)
        #expect(eventually { reserved(fixture) == 0 })  // answered, then completed

        let stalled = try stall(20_000, port: fixture.port)
        #expect(eventually { reserved(fixture) == 40_000 })
        let (_, refused) = try firstAnswer(toAnnouncing: 100, port: fixture.port, from: Self.greedy)
        #expect(refused.status == 503)
        stalled.close()
    }

    @Test func anAbandonedUploadGivesItsShareBack() throws {
        let fixture = try server()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let stalled = try stall(10_000, port: fixture.port)
        #expect(eventually { reserved(fixture) == 20_000 })
        #expect(try firstAnswer(toAnnouncing: 5_000, port: fixture.port, from: Self.greedy).1.status == 503)

        stalled.close()
        #expect(eventually { reserved(fixture) == 0 })
        let (connection, interim) = try firstAnswer(toAnnouncing: 5_000, port: fixture.port, from: Self.greedy)
        #expect(interim.status == 100)
        let body = patternBytes(5_000, seed: 5)
        try connection.send(body)
        #expect(try connection.readResponse().body == body)
    }

    /// A parked body claims its share while it waits, and gives it back when its client leaves.
    @Test func aBodyWaitingForMemoryClaimsItsShareUntilItsClientLeaves() throws {
        let fixture = try TestServer {
            $0.maxMemoryBytes = 100_000
            $0.maxMemoryPerClientBytes = 40_000
        }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let holder = try stall(45_000, port: fixture.port, from: Self.other)  // 90 000 of the budget
        #expect(eventually { reserved(fixture) == 90_000 })
        let waiting = try stall(15_000, port: fixture.port)  // 30 000 does not fit: waits, unread
        #expect(eventually { fixture.server.metrics.requestsQueued == 1 })
        // Its 30 000 waiting + 12 000 is over its 40 000.
        #expect(try firstAnswer(toAnnouncing: 6_000, port: fixture.port, from: Self.greedy).1.status == 503)

        waiting.close()
        holder.close()
        #expect(eventually { reserved(fixture) == 0 && fixture.server.metrics.requestsQueued == 0 })
        let (connection, interim) = try firstAnswer(toAnnouncing: 5_000, port: fixture.port, from: Self.greedy)
        #expect(interim.status == 100)
        connection.close()
    }

    /// Only bodies still arriving count: a computation's memory is bounded in time, and the
    /// budget alone governs it.
    @Test func aCompleteBodyNoLongerCountsAgainstItsClient() throws {
        let fixture = try TestServer {
            $0.maxMemoryBytes = 100_000
            $0.workers = 1
        }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 5) }
        let computing = try RawHTTPConnection(port: fixture.port, source: Self.greedy)
        try computing.send(Array(RawHTTP.head("POST", "/computing", headers: [
            ("Content-Length", "10000"), ("X-Work", "1000000000"), ("X-Sleep-Ms", "3000"), ("X-Memory", "20000"),
        ]).utf8) + patternBytes(10_000))
        #expect(eventually { fixture.server.metrics.busyWorkers.load(ordering: .relaxed) == 1 })

        // 20 000 for the computation are reserved, none of it the client's share.
        let body = patternBytes(10_000, seed: 6)
        let served = try RawHTTP.exchange(port: fixture.port, "POST", "/next", body: body, source: Self.greedy)
        #expect(served.status == 200 && served.body == body)
        #expect(fixture.server.metrics.busyWorkers.load(ordering: .relaxed) == 1, "the computation ended first")
        #expect(try computing.readResponse().status == 200)
    }

    /// A chunked body grows its claim as it arrives; past the share (with another body of the
    /// same client arriving) it is discarded and answered 503 at its end.
    @Test func aChunkedBodyOutgrowingItsClientsShareGets503() throws {
        let fixture = try server()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let stalled = try stall(5_000, port: fixture.port)  // 10 000 of 25 000
        #expect(eventually { reserved(fixture) == 10_000 })
        let chunked = try RawHTTPConnection(port: fixture.port, source: Self.greedy)
        try chunked.send(RawHTTP.head("POST", "/chunky", headers: [("Transfer-Encoding", "chunked")]))
        try chunked.send(RawHTTP.chunked(patternBytes(20_000), chunkSize: 1000))
        let answer = try chunked.readResponse()
        #expect(answer.status == 503)
        #expect(answer.text.contains("client_share"))
        stalled.close()
        #expect(eventually { reserved(fixture) == 0 })
    }
}
