// maxBodyBytes: an announced oversize body is refused before it is sent; a chunked one that
// grows too large is drained and refused at the end; a body exactly at the limit is fine.
import HTTPTestClient
import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct BodyLimitTests {
    @Test func announcedOversizeBodyGets413BeforeAnyBodyByte() throws {
        let fixture = try TestServer { $0.maxBodyBytes = 1024 }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port)
        // Headers only: the client waits for 100 Continue, which must not come.
        try connection.send(RawHTTP.head("POST", "/step", headers: [
            ("Content-Length", "10000000"), ("Expect", "100-continue"),
        ]))
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.text == "limit=1024 body=0 path=/step")
        #expect(fixture.handler.tooLargeCalls.count == 1)
    }

    @Test func chunkedBodyGrowingPastTheLimitGets413() throws {
        let fixture = try TestServer { $0.maxBodyBytes = 1024 }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/chunky", headers: [("Transfer-Encoding", "chunked")]))
        try connection.send(RawHTTP.chunked(patternBytes(8192), chunkSize: 500))
        let response = try connection.readResponse()
        #expect(response.status == 413)
        #expect(response.text == "limit=1024 body=0 path=/chunky")
        #expect(fixture.handler.tooLargeCalls.count == 1)
    }

    @Test func bodyExactlyAtTheLimitIsAccepted() throws {
        let fixture = try TestServer { $0.maxBodyBytes = 1024 }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(1024)
        let plain = try RawHTTP.exchange(port: fixture.port, "POST", "/ok", body: body)
        #expect(plain.status == 200)
        #expect(plain.body == body)

        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/ok", headers: [("Transfer-Encoding", "chunked")]))
        try connection.send(RawHTTP.chunked(body, chunkSize: 100))
        let chunked = try connection.readResponse()
        #expect(chunked.status == 200)
        #expect(chunked.body == body)
        #expect(fixture.handler.tooLargeCalls.count == 0)
    }

    @Test func bodyWithinTheLimitGets100ContinueThenTheAnswer() throws {
        let fixture = try TestServer { $0.maxBodyBytes = 1024 }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let connection = try RawHTTPConnection(port: fixture.port)
        try connection.send(RawHTTP.head("POST", "/step", headers: [
            ("Content-Length", "10"), ("Expect", "100-continue"),
        ]))
        let interim = try connection.readResponse()
        #expect(interim.status == 100)
        try connection.send(Array("0123456789".utf8))
        let final = try connection.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "0123456789")
    }
}
