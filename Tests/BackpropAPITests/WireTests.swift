// The edge's own checks, in-process: strict fields (every optional field of every route,
// misspelled, answers 422 with its pointer and a suggestion), names, limits, the wire form of the
// samples, /explain's indices and /init's sizes, and what a body that is not JSON gets (a BOM is
// fine; compressed and form-encoded bodies get errors that say so). The core's own checks (shapes,
// domains) are BackpropTests' ProblemTests.

import APITestCases
@testable import BackpropAPI
import Foundation
import MicroHTTP
import Testing

/// A request body as JSON text, and the answer as status and parsed object.
struct Exchange {
    var status: Int
    var object: [String: Any]
    var headers: [(name: String, value: String)]

    var errors: [[String: Any]] { object["errors"] as? [[String: Any]] ?? [] }
    var pointers: [String] { errors.compactMap { $0["pointer"] as? String } }
    var details: [String] { errors.compactMap { $0["detail"] as? String } }
    var type: String? { object["type"] as? String }
    var detail: String { object["detail"] as? String ?? "" }
}

func post(_ path: String, _ body: String, headers: [(name: String, value: String)] = [],
          service: BackpropService = BackpropService()) -> Exchange {
    post(path, Array(body.utf8), headers: headers, service: service)
}

func post(_ path: String, _ body: [UInt8], headers: [(name: String, value: String)] = [],
          service: BackpropService = BackpropService()) -> Exchange {
    let r = service.respond(to: HTTPRequest(method: "POST", path: path, headers: headers, body: body))
    let object = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [String: Any] ?? [:]
    return Exchange(status: r.status, object: object, headers: r.headers)
}

/// The textbook network as JSON, with room for extra members on its layers.
let textbookLayers = #"{"weights": [[0.15, 0.2], [0.25, 0.3]]}, {"weights": [[0.4, 0.45], [0.5, 0.55]]}"#
let textbook = #"{"network": {"layers": [\#(textbookLayers)]}, "input": [0.05, 0.1], "target": [0.01, 0.99]"#

@Suite("Strict fields")
struct StrictFieldTests {
    /// One misspelling of each optional field of each route: (route, the body with the misspelled
    /// member, its pointer, the name suggested).
    static let misspellings: [(String, String, String, String)] = [
        ("/forward", #"{"network": {"layers": [\#(textbookLayers)]}, "input": [0.05, 0.1], "targt": [0.01, 0.99]}"#, "/targt", "target"),
        ("/forward", textbook + #", "Loss": "mse"}"#, "/Loss", "loss"),
        ("/forward", textbook + #", "reductions": "sum"}"#, "/reductions", "reduction"),
        ("/forward", #"{"network": {"layers": [{"weights": [[1, 2]], "bias": [5]}]}, "input": [1, 2]}"#, "/network/layers/0/bias", "biases"),
        ("/forward", #"{"network": {"layers": [{"weights": [[1, 2]], "activations": "relu"}]}, "input": [1, 2]}"#, "/network/layers/0/activations", "activation"),
        ("/gradients", textbook + #", "loss_function": "mse"}"#, "/loss_function", "loss"),
        ("/gradients", textbook + #", "reducton": "sum"}"#, "/reducton", "reduction"),
        ("/gradients", #"{"network": {"layers": [{"weights": [[1, 2]], "Biases": [5]}]}, "input": [1, 2], "target": [1]}"#, "/network/layers/0/Biases", "biases"),
        ("/step", textbook + #", "learning_rate": 0.01}"#, "/learning_rate", "learningRate"),
        ("/step", textbook + #", "step": 100}"#, "/step", "steps"),
        ("/step", textbook + #", "update_biases": false}"#, "/update_biases", "updateBiases"),
        ("/step", textbook + #", "detail": false}"#, "/detail", "details"),
        ("/step", textbook + #", "los": "mse"}"#, "/los", "loss"),
        ("/step", textbook + #", "reduce": "sum"}"#, "/reduce", "reduction"),
        ("/step", #"{"network": {"layers": [{"weights": [[1, 2]], "activaton": "tanh"}]}, "input": [1, 2], "target": [1]}"#, "/network/layers/0/activaton", "activation"),
        ("/explain", textbook + #", "weight": {"layer": 0, "unit": 0, "input": 0}, "learningrate": 0.5}"#, "/learningrate", "learningRate"),
        ("/explain", textbook + #", "weight": {"layer": 0, "unit": 0, "input": 0}, "losss": "mse"}"#, "/losss", "loss"),
        ("/explain", textbook + #", "weight": {"layer": 0, "unit": 0, "input": 0, "inputs": 1}}"#, "/weight/inputs", "input"),
        ("/explain", textbook + #", "bias": {"layer": 0, "unit": 0, "units": 1}}"#, "/bias/units", "unit"),
        ("/init", #"{"sizes": [2, 2, 1], "activaton": "tanh"}"#, "/activaton", "activation"),
        ("/init", #"{"sizes": [2, 2, 1], "activatons": ["tanh", "sigmoid"]}"#, "/activatons", "activations"),
        ("/init", #"{"sizes": [2, 2, 1], "bias": false}"#, "/bias", "biases"),
        ("/init", #"{"sizes": [2, 2, 1], "schema": "he"}"#, "/schema", "scheme"),
        ("/init", #"{"sizes": [2, 2, 1], "sead": 3}"#, "/sead", "seed"),
    ]

    @Test(arguments: misspellings.indices)
    func aMisspelledFieldIsAnErrorWithASuggestion(_ k: Int) {
        let (route, body, pointer, suggestion) = Self.misspellings[k]
        let r = post(route, body)
        #expect(r.status == 422, "\(route) \(pointer): \(r.object)")
        #expect(r.type == "urn:backprop:problem:unknown-field")
        #expect(r.object["title"] as? String == "Unknown field")
        #expect(r.pointers == [pointer], "\(r.object)")
        #expect(r.details == ["unknown field; did you mean \"\(suggestion)\"?"], "\(r.object)")
        #expect(r.detail.hasPrefix("\(pointer): unknown field; did you mean \"\(suggestion)\"?"))
    }

    /// The issue's example: `"learning_rate": 0.01` no longer trains at η = 1.
    @Test func theIssuesExampleVerbatim() {
        let r = post("/step", textbook + #", "learning_rate": 0.01}"#)
        #expect(r.detail == #"/learning_rate: unknown field; did you mean "learningRate"?"#)
    }

    @Test func withoutACloseNameTheFieldsAreListed() {
        let r = post("/forward", textbook + #", "colour": "blue"}"#)
        #expect(r.pointers == ["/colour"])
        #expect(r.details == ["unknown field; the fields here are network, input, inputs, targets, target, loss, reduction"])
    }

    /// Every unknown member of every object, in one answer.
    @Test func unknownFieldsOfSeveralObjectsAreReportedTogether() {
        let body = #"{"network": {"layers": [{"weights": [[1, 2]], "bias": [1]}, {"weights": [[1]], "x": 1}], "depth": 2}, "input": [1, 2], "learning_rate": 1}"#
        let r = post("/forward", body)
        #expect(r.status == 422)
        #expect(r.pointers == ["/network/layers/0/bias", "/network/layers/1/x", "/network/depth", "/learning_rate"], "\(r.object)")
        #expect(r.detail.hasSuffix("(and 3 more in errors)"))
    }

    /// An unknown member is found by a first reading that keeps no field names, and named by a
    /// second (FieldObject): an error that stops the reading wins as it always did, a type
    /// mismatch or a missing field (400) over the unknown member (422), whichever object holds it.
    @Test func anErrorThatStopsReadingWinsOverAnUnknownField() {
        let mismatch = post("/step", #"{"network": {"layers": [{"weights": [[1, 2]], "x": 1}]}, "input": [1, 2], "target": [1], "learningRate": "fast"}"#)
        #expect(mismatch.status == 400, "\(mismatch.object)")
        #expect(mismatch.pointers == ["/learningRate"], "\(mismatch.object)")
        let missing = post("/gradients", #"{"network": {"layers": [{"weights": [[1, 2]]}], "depth": 2}, "input": [1, 2]}"#)
        #expect(missing.status == 400, "\(missing.object)")
        #expect(missing.detail.hasPrefix("/target: required"), "\(missing.object)")
        // The unknown member alone: named, with its suggestion.
        let unknown = post("/step", #"{"network": {"layers": [{"weights": [[1, 2]], "x": 1}]}, "input": [1, 2], "target": [1], "learningRate": 0.5}"#)
        #expect(unknown.status == 422 && unknown.pointers == ["/network/layers/0/x"], "\(unknown.object)")
        #expect(unknown.details.first?.hasPrefix("unknown field; the fields here are weights, biases, activation") == true, "\(unknown.object)")
    }

    /// Fields of another route are unknown here: /forward does not train.
    @Test func anotherRoutesFieldIsUnknown() {
        let r = post("/forward", textbook + #", "steps": 100}"#)
        #expect(r.status == 422 && r.pointers == ["/steps"])
    }

    @Test func aMissingRequiredFieldNamesItsLookalike() {
        let r = post("/forward", #"{"netwrk": {"layers": []}, "input": [1]}"#)
        #expect(r.status == 400)
        #expect(r.pointers == ["/network"])
        #expect(r.details == [#"required: the network (an object with layers); found "netwrk": did you mean "network"?"#])
        let layers = post("/forward", #"{"network": {"layer": [{"weights": [[1]]}]}, "input": [1]}"#)
        #expect(layers.pointers == ["/network/layers"])
        #expect(layers.details.first?.hasSuffix(#"found "layer": did you mean "layers"?"#) == true)
    }

    @Test func aValidRequestPasses() {
        #expect(post("/step", textbook + #", "learningRate": 0.5, "steps": 2, "updateBiases": false, "details": false, "loss": "mse", "reduction": "sum"}"#).status == 200)
        #expect(post("/explain", textbook + #", "bias": {"layer": 0, "unit": 0}}"#).status == 422)  // the textbook has no biases
    }
}

@Suite("Names, samples and limits")
struct WireValueTests {
    @Test func unknownNamesSuggestTheCloseOne() {
        let r = post("/forward", #"{"network": {"layers": [{"weights": [[1, 2]], "activation": "sigmod"}]}, "input": [1, 2]}"#)
        #expect(r.status == 422 && r.pointers == ["/network/layers/0/activation"])
        #expect(r.details == [#"unknown activation "sigmod"; did you mean "sigmoid"? expected one of sigmoid, tanh, relu, leaky_relu, linear, softmax"#])
        let loss = post("/gradients", textbook + #", "loss": "cross-entropy"}"#)
        #expect(loss.details == [#"unknown loss "cross-entropy"; did you mean "cross_entropy"? expected one of half_sse, mse, cross_entropy"#])
        let far = post("/gradients", textbook + #", "reduction": "median"}"#)
        #expect(far.details == [#"unknown reduction "median"; expected one of mean, sum"#])
    }

    @Test func raggedRowsAreEachReported() {
        let r = post("/forward", #"{"network": {"layers": [{"weights": [[1, 2], [3], [4, 5, 6]]}]}, "input": [1, 2]}"#)
        #expect(r.status == 422 && r.type == "urn:backprop:problem:shape-mismatch")
        #expect(r.pointers == ["/network/layers/0/weights/1", "/network/layers/0/weights/2"])
        #expect(r.details == ["expected 2 weights like row 0, found 1", "expected 2 weights like row 0, found 3"])
        let one = post("/forward", #"{"network": {"layers": [{"weights": [[1], [3, 4]]}]}, "inputs": [[1], [1, 2]]}"#)
        #expect(one.details == ["expected 1 weight like row 0, found 2", "expected 1 number like row 0, found 2"])
        #expect(one.pointers == ["/network/layers/0/weights/1", "/inputs/1"])
    }

    /// A row that is not an array of numbers is a 400 at the row, or at its first element that is
    /// no number, also after a ragged row (whose numbers are no longer kept) and in the samples.
    @Test func aRowThatIsNoVectorIsPointedAt() {
        let cases: [(String, String, String)] = [
            (#"{"network": {"layers": [{"weights": [[1, 2], 5]}]}, "input": [1, 2]}"#,
             "/network/layers/0/weights/1", "expected an array of numbers, found the number 5.0"),
            (#"{"network": {"layers": [{"weights": [[1, 2], [3, null]]}]}, "input": [1, 2]}"#,
             "/network/layers/0/weights/1/1", "expected a number, found null"),
            (#"{"network": {"layers": [{"weights": [[1, 2], [3], {"a": 1}]}]}, "input": [1, 2]}"#,
             "/network/layers/0/weights/2", "expected an array of numbers, found an object"),
            (#"{"network": {"layers": [{"weights": [[1, 2]]}]}, "inputs": [[1, 2], "x"]}"#,
             "/inputs/1", "expected an array of numbers, found the string \"x\""),
        ]
        for (body, pointer, detail) in cases {
            let r = post("/forward", body)
            #expect(r.status == 400 && r.type == "urn:backprop:problem:invalid-field", "\(body)")
            #expect(r.pointers == [pointer] && r.details == [detail], "\(body): \(r.object)")
        }
        // Empty rows are rows of no numbers: ragged against a non-empty row 0.
        let empty = post("/forward", #"{"network": {"layers": [{"weights": [[1, 2], []]}]}, "input": [1, 2]}"#)
        #expect(empty.status == 422 && empty.details == ["expected 2 weights like row 0, found 0"])
    }

    @Test func theSamplesFormMustAgree() {
        let batchWithTarget = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "inputs": [[1, 2]], "target": [0, 1]}"#)
        #expect(batchWithTarget.status == 400 && batchWithTarget.pointers == ["/target"])
        #expect(batchWithTarget.details == ["with inputs (a batch) send targets, one row per input row"])
        let singleWithTargets = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "input": [1, 2], "targets": [[0, 1]]}"#)
        #expect(singleWithTargets.status == 400 && singleWithTargets.details == ["with input (one sample) send target, a vector"])
        let both = post("/forward", #"{"network": {"layers": [\#(textbookLayers)]}, "input": [1, 2], "inputs": [[1, 2]]}"#)
        #expect(both.status == 400 && both.pointers == ["/inputs"])
        let missing = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "inputs": [[1, 2]]}"#)
        #expect(missing.status == 400 && missing.details == ["required: the targets the outputs are compared with"])
    }

    /// The core's issues come back pointed at the form the samples were sent in.
    @Test func coreIssuesPointIntoTheSamplesAsSent() {
        let single = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "input": [1, 2, 3], "target": [0]}"#)
        #expect(single.pointers == ["/input", "/target"])
        let batch = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "inputs": [[1, 2, 3], [4, 5, 6]], "targets": [[0], [1]]}"#)
        #expect(batch.pointers == ["/inputs/0", "/inputs/1", "/targets/0", "/targets/1"])
        let ce = post("/gradients", #"{"network": {"layers": [\#(textbookLayers)]}, "inputs": [[1, 2]], "targets": [[0, 2]], "loss": "cross_entropy"}"#)
        #expect(ce.pointers == ["/targets/0/1"])
    }

    @Test func stepOptions() {
        for steps in [0, -3] {
            let r = post("/step", textbook + #", "steps": \#(steps)}"#)
            #expect(r.status == 422 && r.pointers == ["/steps"] && r.details == ["expected at least 1 step, found \(steps)"])
        }
        let rate = post("/step", textbook + #", "learningRate": -0.5}"#)
        #expect(rate.pointers == ["/learningRate"] && rate.details == ["expected a finite number ≥ 0, found -0.5"])
        #expect(post("/step", textbook + #", "learningRate": 0}"#).status == 200)
        let both = post("/step", textbook + #", "learningRate": -1, "steps": 0}"#)
        #expect(both.pointers == ["/learningRate", "/steps"] || both.pointers == ["/steps", "/learningRate"])
    }

    @Test func limits() {
        let tight = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxParameters: 7, maxBatch: 1, maxSteps: 5)))
        let params = post("/forward", #"{"network": {"layers": [\#(textbookLayers)]}, "input": [1, 2]}"#, service: tight)
        #expect(params.type == "urn:backprop:problem:limit-exceeded" && params.pointers == ["/network"])
        #expect(params.details == ["the network has 8 parameters; the limit is 7"])
        let relaxed = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxBatch: 1, maxSteps: 5, maxWork: 110, layerOverhead: 3,
                                                                                         unitOverhead: 1)))
        let batch = post("/forward", #"{"network": {"layers": [\#(textbookLayers)]}, "inputs": [[1, 2], [3, 4]]}"#, service: relaxed)
        #expect(batch.pointers == ["/inputs"] && batch.details == ["the batch has 2 samples; the limit is 1"])
        let steps = post("/step", textbook + #", "steps": 6}"#, service: relaxed)
        #expect(steps.details == ["6 steps exceed the limit of 5"])
        // 5 + 1 passes × ((8 parameters + 1 × 4 units) × 1 sample + 3 × 2 layers) = 108; 8 passes = 144 > 110.
        #expect(post("/step", textbook + #", "steps": 5}"#, service: relaxed).status == 200)
        let work = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxSteps: 10, maxWork: 110, layerOverhead: 3, unitOverhead: 1)))
        let tooMuch = post("/step", textbook + #", "steps": 7}"#, service: work)
        #expect(tooMuch.pointers == ["/steps"])
        #expect(tooMuch.details == ["work = passes × ((parameters + 1 × units) × samples + 3 × layers) = 8 × ((8 + 1 × 4) × 1 + 3 × 2) = 144 exceeds the work limit 110"])
    }

    /// Deep stacks of small layers pay for their per-layer cost under the default limits: the
    /// measured 2 s case is refused, XOR for 100 000 steps is not.
    @Test func defaultLimitsChargePerLayer() {
        let row = "[" + Array(repeating: "0.01", count: 40).joined(separator: ",") + "]"
        let layer = #"{"weights": ["# + Array(repeating: row, count: 40).joined(separator: ",") + #"], "activation": "tanh"}"#
        let input = "[" + Array(repeating: "0.1", count: 40).joined(separator: ",") + "]"
        let deep = #"{"network": {"layers": [\#(layer), \#(layer), \#(layer)]}, "input": \#(input), "target": \#(input), "steps": 100000}"#
        #expect(post("/step", deep).type == "urn:backprop:problem:limit-exceeded")
        let service = BackpropService()
        let xor = #"{"network": {"layers": [{"weights": [[0.5, -0.4], [0.3, 0.8]], "biases": [0.1, -0.1]}, {"weights": [[0.7, -0.6]], "biases": [0]}]}, "inputs": [[0, 0], [0, 1], [1, 0], [1, 1]], "targets": [[0], [1], [1], [0]], "steps": 100000}"#
        guard case .later(let computation) = service.prepare(HTTPRequest(method: "POST", path: "/step", body: Array(xor.utf8))) else {
            Issue.record("XOR × 100 000 steps should be admitted")
            return
        }
        #expect(computation.cost.work <= Limits.default.maxWork)
    }

    /// Layers with few inputs per unit pay for their units: a 1-1000 sigmoid layer trained with
    /// cross_entropy costs about 37 ns per unit-sample and step (scripts/worst_case.py), so 4000
    /// steps on 100 samples (15 s) are refused, as they were not when only the 2000 parameters
    /// counted (8.2·10⁸); 200 steps (under a second) are admitted.
    @Test func defaultLimitsChargePerUnit() {
        let weights = "[" + Array(repeating: "[0.01]", count: 1000).joined(separator: ",") + "]"
        let inputs = "[" + (0..<100).map { "[\(Double($0) / 100)]" }.joined(separator: ",") + "]"
        let targets = "[" + Array(repeating: "[" + Array(repeating: "0.5", count: 1000).joined(separator: ",") + "]", count: 100)
            .joined(separator: ",") + "]"
        func request(steps: Int) -> String {
            #"{"network": {"layers": [{"weights": \#(weights), "activation": "sigmoid"}]}, "inputs": \#(inputs), "targets": \#(targets), "loss": "cross_entropy", "steps": \#(steps), "details": false}"#
        }
        let refused = post("/step", request(steps: 4000))
        #expect(refused.type == "urn:backprop:problem:limit-exceeded" && refused.pointers == ["/steps"], "\(refused.object)")
        #expect(refused.details == ["work = passes × ((parameters + 45 × units) × samples + 4096 × layers) = 4001 × ((1000 + 45 × 1000) × 100 + 4096 × 1) = 18420988096 exceeds the work limit 1000000000"])
        guard case .later(let computation) = BackpropService().prepare(HTTPRequest(method: "POST", path: "/step", body: Array(request(steps: 200).utf8))) else {
            Issue.record("200 steps should be admitted")
            return
        }
        #expect(computation.cost.work <= Limits.default.maxWork)
    }
}

@Suite("/explain and /init requests")
struct ExplainInitRequestTests {
    @Test func indicesOutOfRange() {
        let layer = post("/explain", textbook + #", "weight": {"layer": 3, "unit": 0, "input": 0}}"#)
        #expect(layer.pointers == ["/weight/layer"] && layer.details == ["layer 3 is out of range: the network has 2 layers (0…1)"])
        let both = post("/explain", textbook + #", "weight": {"layer": 1, "unit": 2, "input": -1}}"#)
        #expect(both.pointers == ["/weight/unit", "/weight/input"])
        #expect(both.details == ["unit 2 is out of range: layer 1 has 2 units (0…1)", "input -1 is out of range: each unit of layer 1 has 2 inputs (0…1)"])
        let one = post("/explain", #"{"network": {"layers": [{"weights": [[1]], "biases": [0]}]}, "input": [1], "target": [0], "bias": {"layer": 0, "unit": 1}}"#)
        #expect(one.details == ["unit 1 is out of range: layer 0 has 1 unit (0…0)"])
    }

    @Test func aBiasNeedsALayerWithBiases() {
        let r = post("/explain", textbook + #", "bias": {"layer": 0, "unit": 0}}"#)
        #expect(r.status == 422 && r.pointers == ["/bias/layer"])
        #expect(r.details == ["layer 0 has no biases; send it with biases, or explain a weight"])
    }

    @Test func weightOrBiasExactlyOne() {
        #expect(post("/explain", textbook + "}").details.first?.hasPrefix("required: the weight to explain") == true)
        let both = post("/explain", textbook + #", "weight": {"layer": 0, "unit": 0, "input": 0}, "bias": {"layer": 0, "unit": 0}}"#)
        #expect(both.status == 400 && both.details == ["send either weight or bias, not both"])
    }

    @Test(arguments: ["-0.5", "1e400"])
    func learningRateMustBeFiniteAndNonNegative(_ rate: String) {
        let r = post("/explain", textbook + #", "weight": {"layer": 0, "unit": 0, "input": 0}, "learningRate": \#(rate)}"#)
        #expect(r.status == (rate == "1e400" ? 400 : 422), "\(r.object)")
    }

    @Test func initSizes() {
        let few = post("/init", #"{"sizes": [3]}"#)
        #expect(few.pointers == ["/sizes"] && few.details == ["expected at least 2 sizes (the inputs, then the units of each layer), found 1"])
        let small = post("/init", #"{"sizes": [0, 2, -1]}"#)
        #expect(small.pointers == ["/sizes/0", "/sizes/2"])
        #expect(small.details == ["expected at least 1 input, found 0", "expected at least 1 unit, found -1"])
    }

    @Test func initLimits() {
        let tight = BackpropService(configuration: ServiceConfiguration(limits: Limits(maxParameters: 100)))
        let r = post("/init", #"{"sizes": [10, 10]}"#, service: tight)
        #expect(r.type == "urn:backprop:problem:limit-exceeded" && r.details == ["the network would have 110 parameters; the limit is 100"])
        #expect(post("/init", #"{"sizes": [10, 10], "biases": false}"#, service: tight).status == 200)
        let huge = post("/init", #"{"sizes": [9007199254740991, 9007199254740991]}"#)
        #expect(huge.details.first?.hasPrefix("the network would have more than") == true)
    }

    @Test func initActivations() {
        let count = post("/init", #"{"sizes": [2, 2, 2], "activations": ["tanh", "tanh", "tanh"]}"#)
        #expect(count.pointers == ["/activations"] && count.details == ["expected one activation for every layer, or one per layer (2), found 3"])
        let unknown = post("/init", #"{"sizes": [2, 2, 2], "activations": ["tanh", "swish"]}"#)
        #expect(unknown.pointers == ["/activations/1"])
        let single = post("/init", #"{"sizes": [2, 2, 2], "activation": "gelu"}"#)
        #expect(single.pointers == ["/activation"])
        let scheme = post("/init", #"{"sizes": [2, 2], "scheme": "kaiming_normal"}"#)
        #expect(scheme.details == [#"unknown scheme "kaiming_normal"; expected one of xavier, he, uniform"#])
        let all = post("/init", #"{"sizes": [2, 0], "activations": ["nope"], "scheme": "nope", "seed": -1}"#)
        #expect(Set(all.pointers) == ["/activations/0", "/seed", "/scheme", "/sizes/1"], "\(all.pointers)")
    }
}

@Suite("Bodies that are not JSON")
struct RequestBodyTests {
    @Test func aByteOrderMarkIsIgnored() {
        let plain = post("/forward", textbook + "}")
        let marked = post("/forward", [0xEF, 0xBB, 0xBF] + Array((textbook + "}").utf8))
        #expect(plain.status == 200 && marked.status == 200)
        #expect(NSDictionary(dictionary: plain.object) == NSDictionary(dictionary: marked.object))
    }

    @Test(arguments: ["gzip", "deflate", "br"])
    func aContentEncodingIsUnsupported(_ encoding: String) {
        let r = post("/forward", textbook + "}", headers: [("Content-Encoding", encoding)])
        #expect(r.status == 415 && r.type == "urn:backprop:problem:unsupported-media-type")
        #expect(r.detail == "Content-Encoding \(encoding) is not supported; send the JSON body uncompressed, without a Content-Encoding header.")
        #expect(post("/forward", textbook + "}", headers: [("Content-Encoding", "identity")]).status == 200)
    }

    /// requests.post(url, data={...}) and curl -F send forms; the answer says how to send JSON.
    @Test func aFormSaysHowToSendJSON() {
        let form = post("/forward", "network=1&input=2", headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(form.status == 400 && form.type == "urn:backprop:problem:malformed-json")
        #expect(form.detail.contains("form-encoded") && form.detail.contains("json=") && form.detail.contains("--json"))
        let multipart = post("/forward", "--xyz\r\nContent-Disposition: form-data; name=\"network\"\r\n\r\n1\r\n--xyz--\r\n",
                             headers: [("Content-Type", "multipart/form-data; boundary=xyz")])
        #expect(multipart.status == 400 && multipart.detail.contains("multipart/form-data") && multipart.detail.contains("not -F"))
        // curl -d labels JSON as a form: that is JSON, and is answered.
        #expect(post("/forward", textbook + "}", headers: [("Content-Type", "application/x-www-form-urlencoded")]).status == 200)
        // Broken JSON is still reported as broken JSON.
        let broken = post("/forward", "{\"network\": ", headers: [("Content-Type", "application/x-www-form-urlencoded")])
        #expect(broken.detail.hasPrefix("The body is not valid JSON"))
    }
}

@Suite("CORS configuration")
struct CORSConfigurationTests {
    @Test func validOriginsAreKept() throws {
        #expect(try ServiceConfiguration.checkedOrigins(["http://localhost:3000, https://notebook.example", "*"])
                == ["http://localhost:3000", "https://notebook.example", "*"])
        #expect(try ServiceConfiguration.checkedOrigins(["http://[::1]:8080", "http://127.0.0.1"]) == ["http://[::1]:8080", "http://127.0.0.1"])
    }

    @Test(arguments: [
        ("http://localhost:3000/", "an origin has no path, query or trailing slash (browsers send \"http://localhost:3000\"); use http://localhost:3000"),
        ("http://notebook.example/app", "an origin has no path, query or trailing slash (browsers send \"http://notebook.example\"); use http://notebook.example"),
        ("localhost:3000", "expected scheme://host[:port], e.g. http://localhost:3000"),
        ("ftp://files.example", "the scheme must be http or https, found \"ftp\""),
        ("http://Notebook.Example", "browsers send origins in lowercase; use http://notebook.example"),
        ("http://localhost:99999", "the port must be a number in 1…65535, found \"99999\""),
        ("http://a.example,,http://b.example", "an empty origin (two commas in a row, or a trailing comma?)"),
    ])
    func aBadOriginIsRefusedWithAReason(_ origin: String, _ problem: String) {
        #expect(throws: CORSOriginError.self) { try ServiceConfiguration.checkedOrigins([origin]) }
        do {
            _ = try ServiceConfiguration.checkedOrigins([origin])
        } catch {
            #expect(error.problem == problem)
            #expect(error.description.hasPrefix("--cors-origin \""))
        }
    }

    @Test func aRefusedPreflightIsLogged() {
        let lines = LogLines()
        let service = BackpropService(configuration: ServiceConfiguration(corsOrigins: ["http://notebook.example"], log: { lines.add($0) }))
        let refused = service.respond(to: HTTPRequest(method: "OPTIONS", path: "/step", headers: [("Origin", "http://evil.example")]))
        #expect(refused.status == 403)
        #expect(lines.all == ["CORS: refused a preflight from origin http://evil.example for /step"])
        let allowed = service.respond(to: HTTPRequest(method: "OPTIONS", path: "/step", headers: [("Origin", "http://notebook.example")]))
        #expect(allowed.status == 204 && lines.all.count == 1)
        // Without any origin configured, every cross-origin preflight is refused, and says how to allow it.
        let closed = BackpropService().respond(to: HTTPRequest(method: "OPTIONS", path: "/step", headers: [("Origin", "http://localhost:3000")]))
        #expect(closed.status == 403)
        #expect(String(decoding: closed.body, as: UTF8.self).contains("start it with --cors-origin http://localhost:3000"))
        // An OPTIONS without Origin is not a preflight: 204 with Allow.
        let plain = BackpropService().respond(to: HTTPRequest(method: "OPTIONS", path: "/step"))
        #expect(plain.status == 204 && plain.headers.contains { $0.name == "Allow" && $0.value == "POST, OPTIONS" })
    }
}

private final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func add(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
}
