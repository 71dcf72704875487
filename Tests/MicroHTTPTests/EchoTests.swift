// Round trips through a real server on 127.0.0.1: what the client sends is what the handler
// sees, and what the handler returns is what the client receives, for every way of sending.
import HTTPTestClient
import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct EchoTests {
    @Test func getRoundTripPassesMethodPathQueryAndHeaders() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let response = try RawHTTP.exchange(
            port: fixture.port, "GET", "/hello%20world?a=1&b=%2F",
            headers: [("X-Echo", "ping"), ("Accept", "*/*")])
        #expect(response.status == 200)
        #expect(response.header("x-method") == "GET")
        #expect(response.header("x-path") == "/hello world")  // MHD percent-decodes the path
        #expect(response.header("x-query") == "a=1&b=%2F")    // the query stays raw
        #expect(response.header("x-echoed") == "ping")
        #expect(response.header("x-header-names") == "host,connection,x-echo,accept")
        #expect(response.body.isEmpty)
        #expect(response.header("content-length") == "0")
    }

    @Test func postBodyComesBackByteForByte() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(777) + [0, 13, 10, 0]  // NULs and CRLF must survive
        let response = try RawHTTP.exchange(
            port: fixture.port, "POST", "/step", headers: [("Content-Type", "application/octet-stream")],
            body: body)
        #expect(response.status == 200)
        #expect(response.header("x-method") == "POST")
        #expect(response.header("x-query") == "<none>")
        #expect(response.body == body)
    }

    @Test func oneMegabyteBody() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(1 << 20, seed: 7)
        let response = try RawHTTP.exchange(port: fixture.port, "POST", "/big", body: body)
        #expect(response.status == 200)
        #expect(response.header("content-length") == "\(1 << 20)")
        #expect(response.body == body)
    }

    @Test func bodyDeliveredInAHundredSmallPieces() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(1000, seed: 3)
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/slow", headers: [("Content-Length", "1000")]))
        try connection.sendSlowly(body, pieces: 100, pauseMicroseconds: 2_000)
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == body)
    }

    @Test func chunkedBodyIsDechunked() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(5000, seed: 11)
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/chunked", headers: [("Transfer-Encoding", "chunked")]))
        try connection.sendSlowly(RawHTTP.chunked(body, chunkSize: 333), pieces: 20, pauseMicroseconds: 1_000)
        let response = try connection.readResponse()
        #expect(response.status == 200)
        #expect(response.body == body)
    }

    @Test func headRequestReachesTheHandlerAndGetsNoBody() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("HEAD", "/thing"))
        let response = try connection.readResponse()  // no Content-Length body is sent for HEAD
        #expect(response.status == 200)
        #expect(response.header("x-method") == "HEAD")
        #expect(connection.waitForClose())
    }

    @Test func keepAliveServesTwoRequestsOnOneConnection() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port)
        for index in 0..<2 {
            let body = patternBytes(100, seed: UInt32(index + 1))
            try connection.send(Array(RawHTTP.head("POST", "/\(index)", headers: [("Content-Length", "100")],
                                                   keepAlive: true).utf8) + body)
            let response = try connection.readResponse()
            #expect(response.header("x-path") == "/\(index)")
            #expect(response.body == body)
        }
        #expect(eventually { fixture.server.inFlightRequests == 0 })
    }

    @Test func accessLogDoesNotDisturbResponses() throws {
        let fixture = try TestServer { $0.accessLog = true }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let response = try RawHTTP.exchange(port: fixture.port, "POST", "/logged", body: [1, 2, 3])
        #expect(response.body == [1, 2, 3])
    }

    @Test func handlerStatusIsSentAndInvalidOnesBecome500() throws {
        let fixture = try TestServer()
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let created = try RawHTTP.exchange(port: fixture.port, "POST", "/s", headers: [("X-Status", "201")],
                                           body: [7])
        #expect(created.status == 201)
        #expect(created.body == [7])  // the handler's bogus Content-Length was not used
        let invalid = try RawHTTP.exchange(port: fixture.port, "GET", "/s", headers: [("X-Status", "42")])
        #expect(invalid.status == 500)
    }
}
