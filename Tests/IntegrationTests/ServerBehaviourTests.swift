// What only a live server can show: the body cap before reading, bodies in pieces, concurrency,
// draining on SIGTERM, and the command line itself.

import APITestCases
import Foundation
import Testing

@Suite("Server behaviour", .serialized, .timeLimit(.minutes(2)))
struct ServerBehaviourTests {
    static let stepBody = jsonBody(["network": contractNetwork.json, "input": contractInput, "target": contractTarget, "learningRate": 0.5])
    static let expected = contractNetwork.stepped(x: contractInput, t: contractTarget, eta: 0.5)

    /// The /step answer equals the textbook update (relative 1e-12, as in the core's tests).
    static func isTextbookStep(_ r: RawResponse) -> Bool {
        guard r.status == 200, let net = TextbookNetwork(json: r.object["network"]) else { return false }
        return isClose(net.hidden, expected.hidden, rel: 1e-12) && isClose(net.output, expected.output, rel: 1e-12)
            && isClose(net.hiddenBiases ?? [], expected.hiddenBiases!, rel: 1e-12)
    }

    @Test func contentLengthOverTheCapIs413BeforeTheBodyIsSent() throws {
        let server = try ServerProcess(["--max-body-bytes", "1000"])
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        // Headers only, asking for 100-continue: the 413 must come without any body sent.
        try connection.send(RawHTTP.head("POST", "/step", headers: [("Content-Length", "5000"), ("Expect", "100-continue")]))
        let r = try connection.readResponse()
        #expect(r.status == 413)
        #expect(r.header("content-type") == "application/problem+json")
        #expect(r.object["status"] as? Int == 413)
    }

    @Test func aBodyInManySmallPiecesIsAssembled() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        try connection.send(RawHTTP.head("POST", "/step", headers: [("Content-Length", "\(Self.stepBody.count)")]))
        try connection.sendSlowly(Self.stepBody, pieces: 60, pauseMicroseconds: 2_000)
        #expect(Self.isTextbookStep(try connection.readResponse()))
    }

    @Test func aChunkedBodyIsAssembled() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        try connection.send(RawHTTP.head("POST", "/step", headers: [("Transfer-Encoding", "chunked")]))
        try connection.sendSlowly(RawHTTP.chunked(Self.stepBody, chunkSize: 7), pieces: 30, pauseMicroseconds: 1_000)
        #expect(Self.isTextbookStep(try connection.readResponse()))
    }

    @Test func twoHundredConcurrentRequestsAreAllAnsweredCorrectly() throws {
        let server = try ServerProcess()
        defer { server.stop() }
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 200) { _ in
            let r = try? RawHTTP.exchange(port: server.port, "POST", "/step", body: Self.stepBody)
            results.add(r.map(Self.isTextbookStep) ?? false)
        }
        #expect(results.good == 200, "\(results.good) of 200 correct")
    }

    @Test func sigtermDrainsARequestStillUploading() throws {
        let server = try ServerProcess()
        let connection = try RawHTTPConnection(port: server.port)
        defer { connection.close() }
        let half = Self.stepBody.count / 2
        try connection.send(RawHTTP.head("POST", "/step", headers: [("Content-Length", "\(Self.stepBody.count)")]))
        try connection.send(Array(Self.stepBody[..<half]))
        usleep(200_000)
        kill(server.process.processIdentifier, SIGTERM)
        usleep(300_000)
        #expect(server.process.isRunning, "the server must wait for the request in flight")
        try connection.send(Array(Self.stepBody[half...]))
        #expect(Self.isTextbookStep(try connection.readResponse()))
        #expect(server.stop(within: 10) == 0, "exit 0 after draining")
    }

    @Test func helpDescribesEveryFlag() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        for flag in ["--host", "--port", "--threads", "--max-body-bytes", "--max-parameters", "--cors-origin", "BACKPROP_PORT",
                     "--max-memory-per-client", "BACKPROP_MAX_MEMORY_PER_CLIENT", "--upload-min-rate"] {
            #expect(text.contains(flag), "--help mentions \(flag)")
        }
    }

    @Test func aBadFlagValueIsRefusedWithAMessage() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        p.arguments = ["--port", "70000"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus != 0)
        #expect(text.contains("port"), "\(text)")
    }

    @Test func environmentVariablesConfigureTheServer() throws {
        let server = try ServerProcess([], environment: ["BACKPROP_MAX_PARAMETERS": "3"])
        defer { server.stop() }
        let r = try RawHTTP.exchange(port: server.port, "POST", "/step", body: Self.stepBody)
        #expect(r.status == 422)
        #expect(r.object["type"] as? String == "urn:backprop:problem:limit-exceeded")
    }
}

private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var good = 0
    func add(_ ok: Bool) { lock.lock(); if ok { good += 1 }; lock.unlock() }
}
