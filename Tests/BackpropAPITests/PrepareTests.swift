// The first phase, in-process: what `prepare` answers at once, what becomes a computation, the
// cost it carries (memory an upper bound of what it holds, from its counts), the 422s for an
// answer over --max-response-bytes or a request over the whole memory budget, and a computation
// that stops when its client has gone.

import APITestCases
@testable import BackpropAPI
import Foundation
import MicroHTTP
import Testing

@Suite("Prepare")
struct PrepareTests {
    func request(_ path: String, _ body: String) -> HTTPRequest {
        HTTPRequest(method: "POST", path: path, body: Array(body.utf8))
    }

    @Test func errorsAndGetsAreAnsweredAtOnce() {
        let service = BackpropService()
        for r in [request("/step", "{"), request("/step", textbook + #", "learning_rate": 1}"#),
                  HTTPRequest(method: "GET", path: "/healthz"), HTTPRequest(method: "GET", path: "/nope")] {
            guard case .now = service.prepare(r) else {
                Issue.record("\(r.path) should be answered at once")
                continue
            }
        }
    }

    /// The 1-10000-1 tanh network with 2 000 inputs of the issue: 0.55 MB of request asking for
    /// an 800 MB answer. Refused with a 422 and a hint, before anything is computed.
    @Test func anAnswerOverTheResponseLimitIsRefused() throws {
        let w1 = "[" + Array(repeating: "[0.001]", count: 10_000).joined(separator: ",") + "]"
        let w2 = "[[" + Array(repeating: "0.001", count: 10_000).joined(separator: ",") + "]]"
        let inputs = "[" + (0..<2000).map { "[\(Double($0) / 1000)]" }.joined(separator: ",") + "]"
        let body = #"{"network": {"layers": [{"weights": \#(w1), "activation": "tanh"}, {"weights": \#(w2), "activation": "linear"}]}, "inputs": \#(inputs)}"#
        #expect(body.utf8.count < 600_000)
        let r = post("/forward", body)
        #expect(r.status == 422 && r.type == "urn:backprop:problem:limit-exceeded", "\(r.object)")
        #expect(r.pointers == ["/inputs"])
        let detail = try #require(r.details.first)
        #expect(detail.hasPrefix("the answer would be about 1000151024 bytes; the limit is 67108864 (--max-response-bytes)"), "\(detail)")
        #expect(detail.contains("send fewer samples"))
        // The same network on 50 samples answers.
        let few = "[" + (0..<50).map { "[\(Double($0) / 100)]" }.joined(separator: ",") + "]"
        #expect(post("/forward", body.replacingOccurrences(of: inputs, with: few)).status == 200)
    }

    /// /init's answer counts each layer's own text besides its parameters: a stack of 10⁶ 1-1
    /// layers answered 73.5 MB, over the 64 MiB limit, where its 2·10⁶ parameters alone were
    /// estimated at 50 MB. Now refused before anything is drawn; the widest layer at the
    /// parameter limit still answers.
    @Test func initCountsItsLayersText() {
        let deep = #"{"sizes": ["# + Array(repeating: "1", count: 1_000_001).joined(separator: ",") + "]}"
        let r = post("/init", deep)
        #expect(r.status == 422 && r.type == "urn:backprop:problem:limit-exceeded" && r.pointers == ["/sizes"], "\(r.object)")
        #expect(r.details.first?.hasPrefix("the answer would be about 100001024 bytes; the limit is 67108864 (--max-response-bytes)") == true,
                "\(r.details)")
        guard case .later = BackpropService().prepare(request("/init", #"{"sizes": [1999, 1000]}"#)) else {
            Issue.record("the parameter limit's widest layer should be admitted")
            return
        }
    }

    @Test func aStepsAnswerSaysHowToShrinkIt() {
        let service = BackpropService(configuration: ServiceConfiguration(maxResponseBytes: 4096))
        let big = #"{"network": {"layers": [{"weights": [[0.1, 0.2], [0.3, 0.4]]}]}, "input": [1, 2], "target": [0, 1], "steps": 1000"#
        let r = post("/step", big + "}", service: service)
        #expect(r.status == 422 && r.pointers == ["/details"], "\(r.object)")
        #expect(r.details.first?.contains(#"send "details": false (no layers), a smaller batchSize, or lossEvery"#) == true)
        #expect(post("/step", big + #", "details": false, "lossEvery": 100}"#, service: service).status == 200)
    }

    @Test func aRequestOverTheWholeBudgetIsRefused() {
        let service = BackpropService(configuration: ServiceConfiguration(maxMemoryBytes: 60_000))
        let r = post("/forward", textbook + "}", service: service)
        #expect(r.status == 422 && r.details.first?.hasPrefix("the request would need about") == true, "\(r.object)")
        #expect(r.details.first?.contains("this server's budget is 60000 (--max-memory)") == true)
    }

    /// The memory a computation declares covers what its answer alone takes, and the numbers
    /// it was sent (each held as text, parsed, and as a matrix).
    @Test func theMemoryCostBoundsTheAnswerAndTheNumbers() throws {
        let service = BackpropService()
        let body = textbook + #", "steps": 3}"#
        guard case .later(let computation) = service.prepare(request("/step", body)) else {
            Issue.record("a step is a computation")
            return
        }
        let answer = computation.run { false }
        #expect(answer.status == 200)
        #expect(computation.cost.memoryBytes >= body.utf8.count + answer.body.count + 8 * 14)
        #expect(computation.cost.work == 4 * ((8 + 45 * 4) * 1 + 4096 * 2))
    }

    /// A long run asks whether its client is still there and stops when it is not; its answer
    /// is never read, so it only has to be a well-formed problem.
    @Test func aComputationStopsWhenItsClientIsGone() throws {
        let service = BackpropService()
        guard case .later(let computation) = service.prepare(request("/step", textbook + #", "steps": 100000, "details": false}"#)) else {
            Issue.record("a long step is a computation")
            return
        }
        let asked = Counter()
        let answer = computation.run { asked.add(); return true }
        #expect(answer.status == 503)
        #expect(asked.count == 1)
        #expect(String(decoding: answer.body, as: UTF8.self).contains("the answer is no longer wanted"))
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return n }
}
