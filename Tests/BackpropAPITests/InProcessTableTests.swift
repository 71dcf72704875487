// The shared API table (Tests/APITestCases) run in-process: a request value into the service,
// a response value out, no socket. The same table runs over HTTP in IntegrationTests.

import APITestCases
import Backprop
import BackpropAPI
import MicroHTTP
import Testing

@Suite("API table, in-process")
struct InProcessTableTests {
    static let service = BackpropService(configuration: ServiceConfiguration(corsOrigins: [testOrigin]))

    @Test(arguments: APICases.all.map(\.name))
    func answers(_ name: String) {
        let c = APICases.all.first { $0.name == name }!
        let response = Self.service.respond(to: HTTPRequest(method: c.method, path: c.path, query: nil, headers: c.headers, body: c.body))
        let failures = c.check(RawResponse(status: response.status, headers: response.headers, body: response.body))
        #expect(failures.isEmpty, "\(name): \(failures.joined(separator: "; "))")
    }
}

/// `respondIfQuick` (what the pool thread model asks first, on the polling thread) only decides
/// whether to answer now, from the plan's work: whenever it answers, the answer is byte for byte
/// `respond`'s.
@Suite("Quick answers")
struct QuickAnswerTests {
    static let service = InProcessTableTests.service

    func request(_ method: String, _ path: String, _ body: String = "", headers: [(name: String, value: String)] = []) -> HTTPRequest {
        HTTPRequest(method: method, path: path, query: nil, headers: headers, body: Array(body.utf8))
    }

    @Test(arguments: APICases.all.map(\.name))
    func aQuickAnswerIsTheFullAnswer(_ name: String) {
        let c = APICases.all.first { $0.name == name }!
        let request = HTTPRequest(method: c.method, path: c.path, query: nil, headers: c.headers, body: c.body)
        guard let quick = Self.service.respondIfQuick(to: request) else { return }
        let full = Self.service.respond(to: request)
        #expect(quick.status == full.status)
        #expect(quick.headers.map { "\($0.name): \($0.value)" } == full.headers.map { "\($0.name): \($0.value)" })
        #expect(quick.body == full.body)
    }

    static let textbook = #"{"network":{"layers":[{"weights":[[0.15,0.2],[0.25,0.3]],"biases":[0.35,0.35]},{"weights":[[0.4,0.45],[0.5,0.55]],"biases":[0.6,0.6]}]},"input":[0.05,0.1],"target":[0.01,0.99],"learningRate":0.5"#

    @Test func oneTextbookStepIsQuickAndAThousandAreNot() {
        // work = passes × (parameters × samples + 4096 × layers): 2 × 8204 fits 200 000; 1001 × 8204 does not.
        #expect(Self.service.respondIfQuick(to: request("POST", "/step", Self.textbook + "}"))?.status == 200)
        let heavy = request("POST", "/step", Self.textbook + #","steps":1000}"#)
        #expect(Self.service.respondIfQuick(to: heavy) == nil)
        #expect(Self.service.respond(to: heavy).status == 200)
    }

    /// A request over the configured limits is answered on the spot: its 422 needs no computation.
    @Test func overTheConfiguredLimitsTheAnswerIsQuick() {
        let service = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxWork: 1_000_000)))
        let tooMuch = request("POST", "/step", Self.textbook + #","steps":1000}"#)
        #expect(service.respondIfQuick(to: tooMuch)?.status == 422)
        let full = service.respond(to: tooMuch)
        #expect(full.status == 422)
        #expect(String(decoding: full.body, as: UTF8.self).contains("exceeds the work limit 1000000\""))
    }

    @Test func largeBodiesAndBigInitsGoToTheirOwnThread() {
        let padding = String(repeating: " ", count: 70_000)
        #expect(Self.service.respondIfQuick(to: request("POST", "/step", Self.textbook + "}" + padding)) == nil)
        #expect(Self.service.respondIfQuick(to: request("POST", "/init", #"{"sizes":[300,300,10]}"#)) == nil)
        #expect(Self.service.respondIfQuick(to: request("POST", "/init", #"{"sizes":[2,2,2]}"#))?.status == 200)
    }
}
