// Clients that leave half-way through an upload: the server must notice the close at once, not
// keep the request (and its connection slot) until the idle timeout. Found by scripts/hardening.sh:
// with epoll (edge-triggered), an end of stream that arrives together with the last body bytes was
// never read, so about half of such connections sat in CLOSE_WAIT for --connection-timeout seconds,
// filling the per-IP limit (every later client from that address refused) and holding up SIGTERM.
import HTTPTestClient
import Glibc
import MicroHTTP
import Testing

@Suite(.timeLimit(.minutes(1))) struct AbandonedUploadTests {
    @Test(arguments: [1, 2])
    func aClientLeavingMidUploadEndsItsRequestAtOnce(threads: Int) throws {
        let fixture = try TestServer {
            $0.threads = threads
            $0.connectionTimeoutSeconds = 30  // far longer than the test waits
            $0.perIPConnectionLimit = 16
        }
        defer { _ = fixture.server.shutdown(timeoutSeconds: 1) }
        let body = patternBytes(1000)
        // Head and half the body in one segment, then close: the FIN follows the data at once.
        for _ in 0..<64 {
            let connection = try RawHTTPConnection(port: fixture.port)
            try connection.send(Array(RawHTTP.head("POST", "/upload", headers: [("Content-Length", "1000")]).utf8) + body[..<500])
            connection.close()
        }
        #expect(eventually(within: 3) { fixture.server.inFlightRequests == 0 },
                "\(fixture.server.inFlightRequests) abandoned uploads still in flight")
        // And the per-IP limit (16, far below the 64 abandoned) has slots for the next client
        // within seconds, not the 30 s idle timeout. (A connection's slot is freed when its thread
        // has finished closing it, a moment after the request left the in-flight count, so a
        // refusal in that moment is retried.)
        var response: RawResponse?
        _ = eventually(within: 3) {
            response = try? RawHTTP.exchange(port: fixture.port, "POST", "/upload", body: body)
            return response != nil
        }
        #expect(response?.status == 200)
        #expect(response?.body == body)
    }
}
