// Hostile input over a real socket: bodies that lie about their length, bodies abandoned half-way,
// and the fuzz corpus's nastiest JSON, each answered 4xx (or dropped) without hurting the next client.
// The same cases, below HTTP, are fuzz seeds (Fuzz/corpus); scripts/hardening.sh runs both.

import APITestCases
import Foundation
import Testing

@Suite("Hostile input", .serialized, .timeLimit(.minutes(2)))
struct HostileInputTests {
    static let stepBody = ServerBehaviourTests.stepBody

    /// GET /healthz's live-request count (nil if the answer lacks it).
    static func inFlight(_ port: Int) throws -> Int? {
        try RawHTTP.exchange(port: port, "GET", "/healthz").object["inFlight"] as? Int
    }

    @Test func abandonedUploadsLeaveNothingInFlight() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        for _ in 0..<50 {
            let connection = try RawHTTPConnection(port: server.port)
            try connection.send(RawHTTP.head("POST", "/step", headers: [("Content-Length", "\(Self.stepBody.count)")]))
            try connection.send(Array(Self.stepBody.prefix(Self.stepBody.count / 2)))
            connection.close()
        }
        #expect(ServerBehaviourTests.isTextbookStep(try RawHTTP.exchange(port: server.port, "POST", "/step", body: Self.stepBody)))
        // GET /healthz reports the live-request count; it must come back to zero.
        #expect(try Self.inFlight(server.port) != nil, "/healthz reports inFlight")
        var count = try Self.inFlight(server.port)
        for _ in 0..<50 where count != 0 {
            usleep(100_000)
            count = try Self.inFlight(server.port)
        }
        #expect(count == 0, "requests still counted in flight after their clients left")
    }

    @Test func aBodyShorterThanAnnouncedIsClosedAtTheIdleTimeout() throws {
        let server = try ServerProcess(["--connection-timeout", "1"])
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port, timeoutSeconds: 6)
        defer { connection.close() }
        try connection.send(RawHTTP.head("POST", "/step", headers: [("Content-Length", "\(Self.stepBody.count + 100)")]))
        try connection.send(Self.stepBody)
        let start = Date()
        #expect(connection.waitForClose(), "the server must close a stalled upload")
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(try RawHTTP.exchange(port: server.port, "GET", "/healthz").status == 200)
        #expect(server.stop(within: 10) == 0)
    }

    @Test func bytesBeyondContentLengthAreTheNextRequestNotTheBody() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        let head = RawHTTP.head("POST", "/step", headers: [("Content-Length", "\(Self.stepBody.count)")], keepAlive: true)
        try connection.send(Array(head.utf8) + Self.stepBody + Array("}garbage, not a request line\r\n\r\n".utf8))
        #expect(ServerBehaviourTests.isTextbookStep(try connection.readResponse()), "the announced length decides")
        // The excess is parsed as a new request: MHD answers 400 itself or closes; never a 200 or 5xx.
        if let next = try? connection.readResponse() {
            #expect((400...499).contains(next.status), "status \(next.status)")
        }
        #expect(ServerBehaviourTests.isTextbookStep(try RawHTTP.exchange(port: server.port, "POST", "/step", body: Self.stepBody)))
    }

    @Test(arguments: HostileBody.all)
    func hostileBodiesAreProblemsNotCrashes(_ hostile: HostileBody) throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let start = Date()
        let r = try RawHTTP.exchange(port: server.port, "POST", hostile.path, body: hostile.body)
        #expect((400...499).contains(r.status), "\(hostile.name): \(r.status) \(r.text.prefix(300))")
        #expect(r.header("content-type") == "application/problem+json", "\(hostile.name)")
        #expect(r.object["status"] as? Int == r.status, "\(hostile.name): the body is a problem")
        #expect(Date().timeIntervalSince(start) < 5, "\(hostile.name) took too long")
        #expect(server.stop(within: 10) == 0, "\(hostile.name): exit 0 afterwards")
    }
}

/// A request body that must be refused with a 4xx problem.
struct HostileBody: Sendable, CustomTestStringConvertible {
    let name: String
    let path: String
    let body: [UInt8]
    var testDescription: String { name }

    static let network = #"{"network":{"layers":[{"weights":[[1,2]]}]},"#

    static let all: [HostileBody] = [
        HostileBody(name: "nesting 100000 deep", path: "/forward",
                    body: Array(repeating: UInt8(ascii: "["), count: 100_000) + Array(repeating: UInt8(ascii: "]"), count: 100_000)),
        HostileBody(name: "unclosed nesting 1 MB deep", path: "/step",
                    body: Array(repeating: UInt8(ascii: "{"), count: 1) + Array(#""a":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: 1 << 20)),
        HostileBody(name: "number beyond double", path: "/forward",
                    body: Array((network + #""input":[1e999,1]}"#).utf8)),
        HostileBody(name: "number of 100000 digits", path: "/forward",
                    body: Array((network + #""input":[1"# + String(repeating: "7", count: 100_000) + ",1]}").utf8)),
        HostileBody(name: "weights that overflow the forward pass", path: "/step",
                    body: Array(#"{"network":{"layers":[{"weights":[[1e308,1e308]],"activation":"linear"}]},"input":[1e308,1e308],"target":[0],"loss":"mse"}"#.utf8)),
        HostileBody(name: "an input of a million numbers", path: "/forward",
                    body: Array((network + #""input":["# + Array(repeating: "0.5", count: 1_000_000).joined(separator: ",") + "]}").utf8)),
        HostileBody(name: "duplicate keys", path: "/step",
                    body: Array((network + #""input":[1,2],"input":[3,4],"target":[0]}"#).utf8)),
        HostileBody(name: "invalid UTF-8 in a name", path: "/forward",
                    body: Array(#"{"network":{"layers":[{"weights":[[1,2]],"activation":"sig"#.utf8) + [0xFF, 0xC0, 0xAF]
                        + Array(#"moid"}]},"input":[1,2]}"#.utf8)),
        HostileBody(name: "a lone surrogate escape", path: "/forward",
                    body: Array((network + #""input":[1,2],"x\ud800":1}"#).utf8)),
        HostileBody(name: "truncated", path: "/step", body: Array(ServerBehaviourTests.stepBody.dropLast(9))),
        HostileBody(name: "a NUL byte", path: "/forward", body: Array((network + #""input":[1,2]}"#).utf8) + [0]),
        HostileBody(name: "steps beyond 2^53", path: "/step",
                    body: Array((network + #""input":[1,2],"target":[0],"steps":1e300}"#).utf8)),
    ]
}
