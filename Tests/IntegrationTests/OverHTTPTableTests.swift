// The shared API table (Tests/APITestCases) run against the real server over HTTP: the same
// requests and checks as in-process, now through libmicrohttpd, the flags and the process.

import APITestCases
import Foundation
import Testing

@Suite("API table, over HTTP", .serialized)
struct OverHTTPTableTests {
    @Test func everyCaseAnswersOverHTTP() throws {
        let server = try ServerProcess(["--cors-origin", testOrigin])
        defer { server.stop() }
        for c in APICases.all {
            var headers = c.headers.map { ($0.name, $0.value) }
            if !c.body.isEmpty { headers.append(("Content-Type", "application/json")) }
            let r = try RawHTTP.exchange(port: server.port, c.method, c.path, headers: headers, body: c.body)
            let failures = c.check(r)
            #expect(failures.isEmpty, "\(c.name): \(failures.joined(separator: "; "))")
        }
        #expect(server.stop() == 0)
    }
}
