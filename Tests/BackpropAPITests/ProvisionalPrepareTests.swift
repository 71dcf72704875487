// The provisional split of requests into `prepare` and a computation (ProvisionalPrepare.swift):
// to be replaced, with this file, by the edge's own two-phase routes.

import APITestCases
import Backprop
import BackpropAPI
import MicroHTTP
import Testing

/// `prepare` (on the polling thread) answers `.now` only what is cheap, and then the answer is
/// byte for byte `respond`'s; anything heavier becomes a computation whose answer is `respond`'s.
@Suite("Provisional prepare")
struct ProvisionalPrepareTests {
    static let service = InProcessTableTests.service

    /// The answer `prepare` gives now, or nil when it hands over a computation.
    func now(_ request: HTTPRequest, _ service: BackpropService = Self.service) -> HTTPResponse? {
        if case .now(let response) = service.prepare(request) { return response }
        return nil
    }

    func request(_ method: String, _ path: String, _ body: String = "", headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, path: path, query: nil, headers: headers, body: Array(body.utf8))
    }

    @Test(arguments: APICases.all.map(\.name))
    func aQuickAnswerIsTheFullAnswer(_ name: String) {
        let c = APICases.all.first { $0.name == name }!
        let request = HTTPRequest(method: c.method, path: c.path, query: nil, headers: c.headers, body: c.body)
        guard let quick = now(request) else { return }
        let full = Self.service.respond(to: request)
        #expect(quick.status == full.status)
        #expect(quick.headers.map { "\($0.name): \($0.value)" } == full.headers.map { "\($0.name): \($0.value)" })
        #expect(quick.body == full.body)
    }

    static let textbook = #"{"network":{"layers":[{"weights":[[0.15,0.2],[0.25,0.3]],"biases":[0.35,0.35]},{"weights":[[0.4,0.45],[0.5,0.55]],"biases":[0.6,0.6]}]},"input":[0.05,0.1],"target":[0.01,0.99],"learningRate":0.5"#

    @Test func oneTextbookStepIsQuickAndAThousandAreNot() {
        // work = passes × (parameters × samples + 4096 × layers): 2 × 8204 fits 200 000; 1001 × 8204 does not.
        #expect(now(request("POST", "/step", Self.textbook + "}"))?.status == 200)
        let heavy = request("POST", "/step", Self.textbook + #","steps":1000}"#)
        #expect(now(heavy) == nil)
        #expect(Self.service.respond(to: heavy).status == 200)
    }

    @Test func overTheConfiguredLimitsTheFullPathReportsThem() {
        let service = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxWork: 1_000_000)))
        let tooMuch = request("POST", "/step", Self.textbook + #","steps":1000}"#)
        #expect(now(tooMuch, service) == nil)
        let full = service.respond(to: tooMuch)
        #expect(full.status == 422)
        #expect(String(decoding: full.body, as: UTF8.self).contains("exceeds the work limit 1000000\""))
    }

    @Test func aComputationAnswersWhatRespondAnswers() {
        let heavy = request("POST", "/step", Self.textbook + #","steps":1000}"#)
        guard case .later(let computation) = Self.service.prepare(heavy) else {
            Issue.record("1000 steps answered on the polling thread")
            return
        }
        #expect(computation.cost.work > 200_000)
        #expect(computation.cost.memoryBytes >= heavy.body.count)
        let answer = computation.run { false }
        #expect(answer.status == 200)
        #expect(answer.body == Self.service.respond(to: heavy).body)
    }

    @Test func largeBodiesAndBigInitsAreComputations() {
        let padding = String(repeating: " ", count: 70_000)
        #expect(now(request("POST", "/step", Self.textbook + "}" + padding)) == nil)
        #expect(now(request("POST", "/init", #"{"sizes":[300,300,10]}"#)) == nil)
        #expect(now(request("POST", "/init", #"{"sizes":[2,2,2]}"#))?.status == 200)
    }
}
