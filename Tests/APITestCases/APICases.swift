// One table of requests and what their answers must satisfy, run twice: in-process against the
// service value (BackpropAPITests) and over HTTP against the real server (IntegrationTests).
// Expected numbers come from the hand-written textbook formulas, never from the service itself.

import Foundation
@_exported import HTTPTestClient

extension RawResponse {
    /// The body parsed by Foundation (an independent JSON reader).
    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
    public var object: [String: Any] { json as? [String: Any] ?? [:] }
}

/// One request and its checks. `check` returns what is wrong (empty when all is right).
public struct APICase: Sendable {
    public var name: String
    public var method: String
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var check: @Sendable (RawResponse) -> [String]
}

/// The origin the test servers are configured to allow (`--cors-origin`).
public let testOrigin = "http://notebook.example"

public func jsonBody(_ object: Any) -> [UInt8] {
    Array(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
}

/// The textbook network of backprop.md with the contract's example numbers.
public let contractNetwork = TextbookNetwork(hidden: [[0.1, 0.2], [0.3, 0.4]], output: [[0.5, 0.6], [0.7, 0.8]], hiddenBiases: [0.25, 0.25])
public let contractInput = [0.5, 0.9], contractTarget = [0.0, 1.0]

/// Collects failures of one response.
final class Checker: @unchecked Sendable {
    var failures: [String] = []
    let response: RawResponse

    init(_ r: RawResponse) { response = r }

    func expect(_ ok: Bool, _ what: @autoclosure () -> String) {
        if !ok { failures.append(what()) }
    }

    func status(_ s: Int, contentType: String) {
        expect(response.status == s, "status \(response.status), expected \(s); body: \(String(decoding: response.body.prefix(400), as: UTF8.self))")
        expect(response.header("content-type") == contentType, "content-type \(response.header("content-type") ?? "none"), expected \(contentType)")
    }

    /// A problem+json body with the given status, type and (optionally) one pointer among `errors`.
    func problem(_ s: Int, type: String, pointer: String? = nil, detailContains: String? = nil) {
        status(s, contentType: "application/problem+json")
        let o = response.object
        expect(o["status"] as? Int == s, "problem status \(String(describing: o["status"]))")
        expect(o["type"] as? String == type, "problem type \(String(describing: o["type"])), expected \(type)")
        expect((o["title"] as? String)?.isEmpty == false, "problem has no title")
        expect((o["detail"] as? String)?.isEmpty == false, "problem has no detail")
        if let pointer {
            let errors = o["errors"] as? [[String: Any]] ?? []
            expect(errors.contains { $0["pointer"] as? String == pointer }, "no error points at \(pointer): \(errors)")
        }
        if let detailContains {
            let all = ([o["detail"] as? String ?? ""] + (o["errors"] as? [[String: Any]] ?? []).map { $0["detail"] as? String ?? "" }).joined(separator: " | ")
            expect(all.contains(detailContains), "no detail mentions \"\(detailContains)\": \(all)")
        }
    }
}

func testCase(_ name: String, _ method: String, _ path: String, headers: [(name: String, value: String)] = [],
              body: [UInt8] = [], _ check: @escaping @Sendable (Checker) -> Void) -> APICase {
    APICase(name: name, method: method, path: path, headers: headers, body: body) { r in
        let c = Checker(r)
        check(c)
        return c.failures
    }
}

func request(_ network: TextbookNetwork, input: [Double], target: [Double]?, extra: [String: Any] = [:]) -> [UInt8] {
    var o: [String: Any] = ["network": network.json, "input": input]
    if let target { o["target"] = target }
    for (k, v) in extra { o[k] = v }
    return jsonBody(o)
}

public enum APICases {
    public static let all: [APICase] = routes + errors + protocolLevel

    // MARK: - Every route, answered right

    static let routes: [APICase] = [
        testCase("forward: the contract's example, bit for bit", "POST", "/forward",
                 body: request(contractNetwork, input: contractInput, target: contractTarget)) { c in
            c.status(200, contentType: "application/json")
            // Compared as text: what a person reading the answer sees must be the contract's
            // digits. (Foundation's JSONSerialization on Linux is not correctly rounded, so
            // parsing first could hide or invent a last-bit difference.)
            for fragment in [#""output":[0.6720972942665231,0.7266131712281468]"#,
                             #""weightedSums":[0.48000000000000004,0.76]"#,
                             #""outputs":[0.617747874769249,0.6813537337890256]"#,
                             #""weightedSums":[0.7176861776580399,0.9775064993696947]"#,
                             #""loss":0.26322756555315596"#] {
                c.expect(c.response.text.contains(fragment), "no \(fragment) in \(c.response.text)")
            }
        },
        testCase("forward: no target, no loss", "POST", "/forward",
                 body: request(contractNetwork, input: contractInput, target: nil)) { c in
            c.status(200, contentType: "application/json")
            c.expect(c.response.object["loss"] == nil, "loss present without a target")
            c.expect(c.response.text.contains(#""output":[0.6720972942665231,0.7266131712281468]"#), "output")
        },
        testCase("gradients: the textbook 2-2-2 without biases", "POST", "/gradients",
                 body: request(textbook, input: [0.05, 0.1], target: [0.01, 0.99])) { c in
            c.status(200, contentType: "application/json")
            let p = textbook.pass(x: [0.05, 0.1], t: [0.01, 0.99])
            let o = c.response.object
            let layers = o["layers"] as? [[String: Any]] ?? []
            c.expect(layers.count == 2, "two layers")
            guard layers.count == 2 else { return }
            // Relative 1e-12: the same formulas, possibly summed in another order.
            c.expect(isClose(o["loss"] as? Double ?? .nan, p.loss, rel: 1e-12), "loss")
            c.expect(isClose(layers[1]["deltas"] as? [Double] ?? [], p.deltaY, rel: 1e-12), "δy \(String(describing: layers[1]["deltas"])) vs \(p.deltaY)")
            c.expect(isClose(layers[0]["deltas"] as? [Double] ?? [], p.deltaH, rel: 1e-12), "δh")
            c.expect(isClose(layers[0]["weightGradients"] as? [[Double]] ?? [], p.gradHidden, rel: 1e-12), "∂E/∂w hidden")
            c.expect(isClose(layers[1]["weightGradients"] as? [[Double]] ?? [], p.gradOutput, rel: 1e-12), "∂E/∂w output")
            c.expect(layers[0]["biasGradients"] == nil, "biasGradients without biases")
        },
        testCase("step: the bench's 2-2-2 with biases, η = 0.5", "POST", "/step",
                 body: request(withBiases, input: [0.05, 0.1], target: [0.01, 0.99], extra: ["learningRate": 0.5])) { c in
            c.status(200, contentType: "application/json")
            let o = c.response.object
            let expected = withBiases.stepped(x: [0.05, 0.1], t: [0.01, 0.99], eta: 0.5)
            guard let got = TextbookNetwork(json: o["network"]) else { return c.expect(false, "no network in \(o)") }
            c.expect(isClose(got.hidden, expected.hidden, rel: 1e-12) && isClose(got.output, expected.output, rel: 1e-12), "updated weights")
            c.expect(isClose(got.hiddenBiases ?? [], expected.hiddenBiases!, rel: 1e-12), "updated hidden biases")
            c.expect(isClose(got.outputBiases ?? [], expected.outputBiases!, rel: 1e-12), "updated output biases")
            let before = withBiases.pass(x: [0.05, 0.1], t: [0.01, 0.99]).loss
            let after = expected.pass(x: [0.05, 0.1], t: [0.01, 0.99]).loss
            c.expect(isClose(o["loss"] as? Double ?? .nan, before, rel: 1e-12), "loss")
            c.expect((o["losses"] as? [Double])?.count == 1, "one loss per step")
            c.expect(isClose(o["finalLoss"] as? Double ?? .nan, after, rel: 1e-12), "finalLoss")
            c.expect((o["layers"] as? [Any])?.count == 2, "layers of the step")
        },
        testCase("step: details false answers only the network and losses", "POST", "/step",
                 body: request(textbook, input: [0.05, 0.1], target: [0.01, 0.99], extra: ["details": false, "steps": 3])) { c in
            c.status(200, contentType: "application/json")
            let o = c.response.object
            c.expect(Set(o.keys) == ["network", "loss", "losses", "finalLoss"], "keys \(o.keys.sorted())")
            let losses = o["losses"] as? [Double] ?? []
            c.expect(losses.count == 3 && losses[0] > losses[2], "three decreasing losses \(losses)")
            var net = textbook
            for _ in 0..<3 { net = net.stepped(x: [0.05, 0.1], t: [0.01, 0.99], eta: 1) }
            let got = TextbookNetwork(json: o["network"])
            c.expect(got.map { isClose($0.hidden, net.hidden, rel: 1e-12) && isClose($0.output, net.output, rel: 1e-12) } == true, "three chained textbook steps")
            c.expect(got?.hiddenBiases == nil && got?.outputBiases == nil, "no biases appear where there were none")
        },
        testCase("forward: a batch mirrors inputs as matrices", "POST", "/forward",
                 body: jsonBody(["network": contractNetwork.json, "inputs": [contractInput, [0.0, 0.0], [1.0, -1.0]],
                                 "targets": [contractTarget, [0.0, 0.0], [1.0, 1.0]], "reduction": "sum"])) { c in
            c.status(200, contentType: "application/json")
            let o = c.response.object
            let out = o["output"] as? [[Double]] ?? []
            c.expect(out.count == 3, "three rows")
            c.expect(c.response.text.contains(#""output":[[0.6720972942665231,0.7266131712281468],["#), "row 0 equals the single-sample answer")
            let total = [(contractInput, contractTarget), ([0.0, 0.0], [0.0, 0.0]), ([1.0, -1.0], [1.0, 1.0])]
                .map { contractNetwork.pass(x: $0.0, t: $0.1).loss }.reduce(0, +)
            c.expect(isClose(o["loss"] as? Double ?? .nan, total, rel: 1e-12), "summed loss \(String(describing: o["loss"])) vs \(total)")
        },
        testCase("explain: ∂E/∂w11 is the textbook's product", "POST", "/explain",
                 body: request(textbook, input: [0.05, 0.1], target: [0.01, 0.99], extra: ["weight": ["layer": 0, "unit": 0, "input": 0]])) { c in
            c.status(200, contentType: "application/json")
            let o = c.response.object
            let p = textbook.pass(x: [0.05, 0.1], t: [0.01, 0.99])
            let factors = (o["factors"] as? [[String: Any]] ?? []).map { $0["value"] as? Double ?? .nan }
            let expected = [p.deltaY[0] * textbook.output[0][0] + p.deltaY[1] * textbook.output[1][0], p.z[0] * (1 - p.z[0]), 0.05]
            c.expect(isClose(factors, expected, rel: 1e-12), "factors \(factors) vs \(expected)")
            c.expect(isClose(o["gradient"] as? Double ?? .nan, p.gradHidden[0][0], rel: 1e-12), "gradient")
            c.expect(isClose(o["updated"] as? Double ?? .nan, 0.15 - p.gradHidden[0][0], rel: 1e-12), "updated")
            c.expect((o["latex"] as? String)?.isEmpty == false && (o["text"] as? String)?.isEmpty == false, "latex and text")
        },
        testCase("init: the same seed gives a network of the asked sizes", "POST", "/init",
                 body: jsonBody(["sizes": [3, 4, 2], "activations": ["tanh", "sigmoid"], "seed": 7])) { c in
            c.status(200, contentType: "application/json")
            let layers = ((c.response.object["network"] as? [String: Any])?["layers"] as? [[String: Any]]) ?? []
            c.expect(layers.count == 2, "two layers")
            guard layers.count == 2 else { return }
            c.expect((layers[0]["weights"] as? [[Double]]).map { $0.count == 4 && $0.allSatisfy { $0.count == 3 } } == true, "layer 0 is 4×3")
            c.expect((layers[1]["weights"] as? [[Double]]).map { $0.count == 2 && $0.allSatisfy { $0.count == 4 } } == true, "layer 1 is 2×4")
            c.expect(layers[0]["activation"] as? String == "tanh", "activation")
            c.expect((layers[1]["biases"] as? [Double])?.count == 2, "biases by default")
        },
        testCase("healthz", "GET", "/healthz") { c in
            c.status(200, contentType: "application/json")
            c.expect(c.response.object["status"] as? String == "ok", "status ok")
            c.expect(c.response.object["inFlight"] as? Int == 0, "nothing else in flight: \(c.response.text)")
        },
        testCase("openapi.yaml is served as it is", "GET", "/openapi.yaml") { c in
            c.status(200, contentType: "application/yaml")
            c.expect(String(decoding: c.response.body, as: UTF8.self).hasPrefix("openapi: 3.1"), "starts with openapi: 3.1")
        },
        testCase("CORS preflight from the configured origin", "OPTIONS", "/step",
                 headers: [("Origin", testOrigin), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")]) { c in
            c.expect(c.response.status == 204, "status \(c.response.status)")
            c.expect(c.response.header("access-control-allow-origin") == testOrigin, "allow-origin")
            // Browsers refuse a preflight whose Allow-Origin appears twice.
            c.expect(c.response.headers.filter { $0.name.lowercased() == "access-control-allow-origin" }.count == 1, "exactly one allow-origin")
            c.expect(c.response.header("access-control-allow-methods")?.contains("POST") == true, "allow-methods")
            c.expect(c.response.header("access-control-allow-headers")?.lowercased().contains("content-type") == true, "allow-headers")
        },
        testCase("CORS headers on an answer to the configured origin", "GET", "/healthz", headers: [("Origin", testOrigin)]) { c in
            c.expect(c.response.header("access-control-allow-origin") == testOrigin, "allow-origin on a GET")
        },
        testCase("CORS preflight from another origin grants nothing", "OPTIONS", "/step",
                 headers: [("Origin", "http://evil.example"), ("Access-Control-Request-Method", "POST")]) { c in
            // Refused out loud: 403 problem+json naming the origin (and logged by the server).
            c.problem(403, type: "about:blank", detailContains: "Origin http://evil.example may not call this service")
            c.expect(c.response.header("access-control-allow-origin") == nil, "allow-origin for an unknown origin")
            c.expect(c.response.header("access-control-allow-methods") == nil, "allow-methods for an unknown origin")
        },
        testCase("no CORS headers for another origin", "GET", "/healthz", headers: [("Origin", "http://evil.example")]) { c in
            c.expect(c.response.header("access-control-allow-origin") == nil, "allow-origin for an unknown origin")
        },
    ]

    // MARK: - Bad input: problem+json pointing at the field

    static let errors: [APICase] = [
        testCase("400: not JSON", "POST", "/forward", body: Array("{\"network\": [1, 2,".utf8)) { c in
            c.problem(400, type: "urn:backprop:problem:malformed-json", detailContains: "line 1")
        },
        testCase("400: empty body", "POST", "/gradients") { c in
            c.problem(400, type: "urn:backprop:problem:malformed-json", detailContains: "empty")
        },
        testCase("400: weights of the wrong type", "POST", "/forward",
                 body: jsonBody(["network": ["layers": [["weights": "0.1"]]], "input": [1.0]])) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/network/layers/0/weights", detailContains: "expected an array of rows")
        },
        testCase("400: a string inside a vector", "POST", "/forward",
                 body: jsonBody(["network": contractNetwork.json, "input": [0.5, "x"]])) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/input/1", detailContains: "expected a number")
        },
        testCase("400: a string deep inside a weight matrix", "POST", "/forward",
                 body: jsonBody(["network": ["layers": [["weights": [[0.1]]], ["weights": [[0.5, "w"]]]]], "input": [1.0]])) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/network/layers/1/weights/0/1", detailContains: "/network/layers/1/weights/0/1")
        },
        testCase("400: explain without a unit index", "POST", "/explain",
                 body: request(textbook, input: [0.05, 0.1], target: [0.01, 0.99], extra: ["weight": ["layer": 0, "input": 0]])) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/weight/unit", detailContains: "required")
        },
        testCase("422: init sizes beyond 2^53", "POST", "/init", body: Array(#"{"sizes":[2,1e300]}"#.utf8)) { c in
            c.problem(422, type: "urn:backprop:problem:invalid-field", pointer: "/sizes/1", detailContains: "out of range")
        },
        testCase("400: missing target on /gradients", "POST", "/gradients",
                 body: request(contractNetwork, input: contractInput, target: nil)) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/target", detailContains: "required")
        },
        testCase("400: steps not an integer", "POST", "/step",
                 body: request(contractNetwork, input: contractInput, target: contractTarget, extra: ["steps": 2.5])) { c in
            c.problem(400, type: "urn:backprop:problem:invalid-field", pointer: "/steps", detailContains: "integer")
        },
        testCase("422: layers that do not chain", "POST", "/forward",
                 body: jsonBody(["network": ["layers": [["weights": [[0.1, 0.2], [0.3, 0.4]]], ["weights": [[0.5, 0.6, 0.7]]]]], "input": [1.0, 2.0]])) { c in
            c.problem(422, type: "urn:backprop:problem:shape-mismatch", pointer: "/network/layers/1/weights/0", detailContains: "expected 2 weights")
        },
        testCase("422: ragged weights", "POST", "/forward",
                 body: jsonBody(["network": ["layers": [["weights": [[0.1, 0.2], [0.3]]]]], "input": [1.0, 2.0]])) { c in
            c.problem(422, type: "urn:backprop:problem:shape-mismatch", pointer: "/network/layers/0/weights/1")
        },
        testCase("422: unknown activation", "POST", "/forward",
                 body: jsonBody(["network": ["layers": [["weights": [[0.1]], "activation": "swish"]]], "input": [1.0]])) { c in
            c.problem(422, type: "urn:backprop:problem:invalid-field", pointer: "/network/layers/0/activation", detailContains: "swish")
        },
        testCase("422: input of the wrong width", "POST", "/gradients",
                 body: request(contractNetwork, input: [0.5, 0.9, 1.0], target: contractTarget)) { c in
            c.problem(422, type: "urn:backprop:problem:shape-mismatch", pointer: "/input", detailContains: "expected 2 numbers")
        },
        testCase("422: steps < 1", "POST", "/step",
                 body: request(contractNetwork, input: contractInput, target: contractTarget, extra: ["steps": 0])) { c in
            c.problem(422, type: "urn:backprop:problem:invalid-field", pointer: "/steps")
        },
        testCase("422: more steps than the limit", "POST", "/step",
                 body: request(contractNetwork, input: contractInput, target: contractTarget, extra: ["steps": 100_001])) { c in
            c.problem(422, type: "urn:backprop:problem:limit-exceeded", pointer: "/steps", detailContains: "limit")
        },
        testCase("422: a step that overflows names the step and layer", "POST", "/step",
                 body: jsonBody(["network": ["layers": [["weights": [[1e200]], "activation": "linear"]]], "input": [1e200], "target": [0.0]])) { c in
            c.problem(422, type: "urn:backprop:problem:non-finite", pointer: "/network/layers/0", detailContains: "layer 0")
        },
        testCase("422: cross_entropy target outside [0, 1]", "POST", "/gradients",
                 body: request(contractNetwork, input: contractInput, target: [0.0, 2.0], extra: ["loss": "cross_entropy"])) { c in
            c.problem(422, type: "urn:backprop:problem:invalid-field", pointer: "/target/1", detailContains: "[0, 1]")
        },
        testCase("422: explain an index out of range", "POST", "/explain",
                 body: request(textbook, input: [0.05, 0.1], target: [0.01, 0.99], extra: ["weight": ["layer": 2, "unit": 0, "input": 0]])) { c in
            c.problem(422, type: "urn:backprop:problem:invalid-field", pointer: "/weight/layer")
        },
    ]

    // MARK: - Routing

    static let protocolLevel: [APICase] = [
        testCase("404: unknown path", "POST", "/backward", body: Array("{}".utf8)) { c in
            c.problem(404, type: "about:blank", detailContains: "/backward")
        },
        testCase("405: GET on a POST route, with Allow", "GET", "/step") { c in
            c.problem(405, type: "about:blank")
            c.expect(c.response.header("allow") == "POST, OPTIONS", "Allow \(c.response.header("allow") ?? "none")")
        },
        testCase("405: POST on a GET route", "POST", "/healthz", body: Array("{}".utf8)) { c in
            c.problem(405, type: "about:blank")
            c.expect(c.response.header("allow")?.contains("GET") == true, "Allow lists GET")
        },
    ]

    /// The textbook network of backprop.md's reference case (no biases), with the weights
    /// of the common worked example.
    static let textbook = TextbookNetwork(hidden: [[0.15, 0.2], [0.25, 0.3]], output: [[0.4, 0.45], [0.5, 0.55]])
    static let withBiases = TextbookNetwork(hidden: [[0.15, 0.2], [0.25, 0.3]], output: [[0.4, 0.45], [0.5, 0.55]],
                                            hiddenBiases: [0.35, 0.35], outputBiases: [0.6, 0.6])
}
