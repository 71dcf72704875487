// Golden answers: what the service answered before a refactor, byte for byte. The requests are
// README.md's examples, a grid over routes, activations, losses and errors
// (scripts/golden_requests.py), and every request of the shared API table; the answers were
// recorded from the code as it was (Tests/Golden/answers.json). A reshaping is done when these
// pass unchanged. BACKPROP_RECORD_GOLDEN=1 rewrites the answers: only before a refactor, never
// to make one pass.

import APITestCases
import BackpropAPI
import Foundation
import MicroHTTP
import Testing

@Suite("Golden answers")
struct GoldenTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Golden")
    static let service = BackpropService(configuration: ServiceConfiguration(corsOrigins: [testOrigin]))

    struct Request: Codable {
        var name: String
        var method: String
        var path: String
        var body: String
        var headers: [[String]]?
    }

    struct Answer: Codable, Equatable, Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    /// Every golden request: the generated file's, then the API table's (bodies kept as bytes).
    static let requests: [(name: String, request: HTTPRequest)] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("requests.json"))
        let generated = try! JSONDecoder().decode([Request].self, from: data).map { r in
            (r.name, HTTPRequest(method: r.method, path: r.path, headers: (r.headers ?? []).map { ($0[0], $0[1]) }, body: Array(r.body.utf8)))
        }
        let table = APICases.all.map { c in
            ("table: " + c.name, HTTPRequest(method: c.method, path: c.path, headers: c.headers, body: c.body))
        }
        return generated + table
    }()

    static func answer(_ request: HTTPRequest) -> Answer {
        let r = service.respond(to: request)
        let type = r.headers.first { $0.name.lowercased() == "content-type" }?.value ?? ""
        return Answer(status: r.status, contentType: type, body: String(decoding: r.body, as: UTF8.self))
    }

    static let answersFile = directory.appendingPathComponent("answers.json")

    /// Answers that changed on purpose since the recording, each with why and what it is now.
    /// Nothing that answered 200 is here.
    static let intentionalChanges: [String: (why: String, now: @Sendable (Answer) -> Bool)] = [
        "error /forward bias count": ("messages count in the right number (issue 12)", {
            $0.status == 422 && $0.body.contains("expected 1 bias (one per unit), found 2") }),
        "table: CORS preflight from another origin grants nothing": ("a refused preflight is a 403 problem, not a silent 204 (issue 12)", {
            $0.status == 403 && $0.contentType == "application/problem+json" && $0.body.contains("Origin http://evil.example may not call") }),
    ]

    @Test func answersAreUnchanged() throws {
        if ProcessInfo.processInfo.environment["BACKPROP_RECORD_GOLDEN"] == "1" {
            var recorded: [String: Answer] = [:]
            for (name, request) in Self.requests { recorded[name] = Self.answer(request) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try encoder.encode(recorded).write(to: Self.answersFile)
            return
        }
        let golden = try JSONDecoder().decode([String: Answer].self, from: Data(contentsOf: Self.answersFile))
        #expect(golden.count == Self.requests.count, "answers.json has \(golden.count) answers for \(Self.requests.count) requests")
        var changed = 0
        for (name, request) in Self.requests {
            guard let want = golden[name] else {
                Issue.record("\(name): no golden answer recorded")
                continue
            }
            let got = Self.answer(request)
            if request.path == "/openapi.yaml" {
                // The spec is served as it is: its answer follows openapi.yaml, not the recording.
                let spec = try String(contentsOf: Self.directory.deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("openapi.yaml"), encoding: .utf8)
                #expect(got.status == 200 && got.contentType == want.contentType && got.body == spec, "\(name)")
                continue
            }
            if let change = Self.intentionalChanges[name] {
                #expect(got != want && change.now(got), "\(name): expected the new answer (\(change.why)), got \(got.status) \(got.body.prefix(300))")
                continue
            }
            if got != want {
                changed += 1
                Issue.record("\(name): answer changed\n  was: \(want.status) \(want.body.prefix(600))\n  now: \(got.status) \(got.body.prefix(600))")
            }
        }
        #expect(changed == 0)
    }
}
