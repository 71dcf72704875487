// /step's training over the wire (issue 14): the law that makes the service stateless (k steps in
// one call equal k chained calls passing network and optimizer back, bit for bit, compared as the
// JSON text itself), a full mini-batch equals the full batch, the batch order re-derived from the
// contract's algorithm, lossEvery and epochs, regularization by hand, and every invalid optimizer
// input pointed at. The optimizers' formulas are BackpropTests' (OptimizerAlgorithmTests).

@testable import BackpropAPI
import Foundation
import MicroHTTP
import Testing

/// The raw answer text of a request through the service.
private func answer(_ path: String, _ body: String) -> (status: Int, text: String) {
    let r = BackpropService().respond(to: HTTPRequest(method: "POST", path: path, body: Array(body.utf8)))
    return (r.status, String(decoding: r.body, as: UTF8.self))
}

/// The text of the value of top-level member `key` of a JSON object text, found by bracket
/// matching (strings here hold no brackets or quotes).
private func member(_ key: String, of text: String) -> String? {
    guard let start = text.range(of: "\"\(key)\":")?.upperBound else { return nil }
    var depth = 0
    var end = start
    for i in text[start...].indices {
        let c = text[i]
        if c == "{" || c == "[" { depth += 1 }
        if c == "}" || c == "]" { depth -= 1 }
        if depth < 0 || (depth == 0 && c == ",") { end = i; break }
        end = text.index(after: i)
    }
    return String(text[start..<end])
}

private func numbers(_ key: String, of text: String) -> [Double] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?[key] as? [Double] ?? []
}

/// Seven samples of two inputs, so that batches of 3 leave an uneven last batch.
private let network = #"{"layers": [{"weights": [[0.5, -0.4], [0.3, 0.8], [-0.2, 0.1]], "biases": [0.1, -0.1, 0.05], "activation": "tanh"}, {"weights": [[0.7, -0.6, 0.2]], "biases": [0.0], "activation": "sigmoid"}]}"#
private let samples = #""inputs": [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.2], [-0.3, 0.9], [0.7, -0.7]], "targets": [[0], [1], [1], [0], [0.3], [0.8], [0.6]]"#

@Suite("Training over the wire")
struct TrainingAPITests {
    static let optimizers = [
        #""sgd""#,
        #"{"name": "sgd", "momentum": 0.9, "dampening": 0.1}"#,
        #"{"name": "sgd", "momentum": 0.8, "nesterov": true}"#,
        #"{"name": "adagrad", "lrDecay": 0.01, "initialAccumulatorValue": 0.1}"#,
        #"{"name": "rmsprop", "alpha": 0.9, "momentum": 0.5, "centered": true}"#,
        #""adam""#,
        #"{"name": "adamw", "betas": [0.8, 0.99], "eps": 1e-6, "weightDecay": 0.05}"#,
    ]

    /// The law, for every optimizer, with mini-batches, shuffle and regularization, biases trained
    /// or frozen: 5 steps in one call, and 5 calls of one step that pass `network` and `optimizer`
    /// back, end with the same network and optimizer text, and the same losses.
    @Test(arguments: optimizers.indices, [true, false])
    func stepsInOneCallEqualChainedCalls(_ k: Int, _ updateBiases: Bool) throws {
        let options = #""learningRate": 0.1, "batchSize": 3, "seed": 11, "regularization": {"l2": 0.01, "l1": 0.001}, "updateBiases": \#(updateBiases), "details": false"#
        let one = answer("/step", #"{"network": \#(network), \#(samples), "optimizer": \#(Self.optimizers[k]), "steps": 5, \#(options)}"#)
        try #require(one.status == 200, "\(one.text)")

        var net = network, optimizer = Self.optimizers[k]
        var losses: [Double] = [], penalties: [Double] = []
        for _ in 0..<5 {
            let step = answer("/step", #"{"network": \#(net), \#(samples), "optimizer": \#(optimizer), "steps": 1, \#(options)}"#)
            try #require(step.status == 200, "\(step.text)")
            net = try #require(member("network", of: step.text))
            optimizer = try #require(member("optimizer", of: step.text))
            losses += numbers("losses", of: step.text)
            penalties += numbers("penalties", of: step.text)
        }
        #expect(member("network", of: one.text) == net)
        #expect(member("optimizer", of: one.text) == optimizer)
        #expect(numbers("losses", of: one.text).map(\.bitPattern) == losses.map(\.bitPattern))
        #expect(numbers("penalties", of: one.text).map(\.bitPattern) == penalties.map(\.bitPattern))
        #expect(optimizer.contains(#""step":5"#), "\(optimizer)")
    }

    /// batchSize = N (and more than N) trains exactly as the full batch does.
    @Test(arguments: optimizers.indices)
    func aBatchOfEverySampleIsTheFullBatch(_ k: Int) {
        let base = #"{"network": \#(network), \#(samples), "optimizer": \#(Self.optimizers[k]), "steps": 4, "learningRate": 0.2"#
        let full = answer("/step", base + "}")
        #expect(full.status == 200)
        #expect(answer("/step", base + #", "batchSize": 7}"#).text == full.text)
        #expect(answer("/step", base + #", "batchSize": 70}"#).text == full.text)
    }

    /// The contract's order, written out here: SplitMix64 from seed + e, Fisher–Yates, batches of
    /// B. With η = 0 the network never changes, so step i's loss is the loss of its batch, computed
    /// here by hand: a linear 1-1 network with w = 1 and target 0 gives ½x² per sample.
    @Test(arguments: [(7, 3, true, 5), (7, 3, false, 0), (10, 4, true, 123), (5, 5, true, 9)])
    func batchesFollowTheContractsOrder(_ n: Int, _ b: Int, _ shuffle: Bool, _ seed: Int) throws {
        let x = (0..<n).map { Double($0 + 1) }
        let body = #"{"network": {"layers": [{"weights": [[1]], "activation": "linear"}]}, "inputs": \#(x.map { [$0] }), "targets": \#(x.map { _ in [0.0] }), "learningRate": 0, "steps": 12, "batchSize": \#(b), "shuffle": \#(shuffle), "seed": \#(seed), "details": false}"#
        let r = answer("/step", body)
        try #require(r.status == 200, "\(r.text)")
        let k = (n + b - 1) / b
        var expected: [Double] = []
        for t in 0..<12 {
            let e = t / k, batch = t % k
            var order = Array(0..<n)
            if shuffle {
                var state = UInt64(seed) &+ UInt64(e)
                func next() -> UInt64 {
                    state &+= 0x9E37_79B9_7F4A_7C15
                    var z = state
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    return z ^ (z >> 31)
                }
                for i in stride(from: n - 1, through: 1, by: -1) { order.swapAt(i, Int(next() % UInt64(i + 1))) }
            }
            let rows = order[batch * b ..< min((batch + 1) * b, n)]
            var sum = 0.0
            for s in rows { sum += 0.5 * (0 - x[s]) * (0 - x[s]) }
            expected.append(sum / Double(rows.count))
        }
        #expect(numbers("losses", of: r.text) == expected)
    }

    /// A run split across calls goes on through the epochs when the optimizer is passed back:
    /// steps 0–5 and 6–11 see the batches of one 12-step call.
    @Test func theGlobalStepComesFromTheOptimizerState() throws {
        let base = #""network": {"layers": [{"weights": [[1]], "activation": "linear"}]}, "inputs": [[1], [2], [3], [4], [5]], "targets": [[0], [0], [0], [0], [0]], "learningRate": 0, "batchSize": 2, "seed": 3, "details": false"#
        let whole = answer("/step", "{\(base), \"optimizer\": \"sgd\", \"steps\": 12}")
        let first = answer("/step", "{\(base), \"optimizer\": \"sgd\", \"steps\": 6}")
        let optimizer = try #require(member("optimizer", of: first.text))
        let second = answer("/step", "{\(base), \"optimizer\": \(optimizer), \"steps\": 6}")
        #expect(numbers("losses", of: first.text) + numbers("losses", of: second.text) == numbers("losses", of: whole.text))
    }

    @Test func lossEveryKeepsEveryKthStepAndEpochsCountBatches() throws {
        let base = #"{"network": \#(network), \#(samples), "learningRate": 0.3, "batchSize": 3, "details": false, "regularization": {"l2": 0.1}, "validation": {"inputs": [[0.2, 0.4]], "targets": [[1]]}"#
        let every = answer("/step", base + #", "steps": 10}"#)
        let third = answer("/step", base + #", "steps": 10, "lossEvery": 3}"#)
        for key in ["losses", "penalties", "validationLosses"] {
            let all = numbers(key, of: every.text)
            #expect(all.count == 10)
            #expect(numbers(key, of: third.text) == [all[0], all[3], all[6], all[9]], "\(key)")
        }
        #expect(member("finalLoss", of: third.text) == member("finalLoss", of: every.text))
        #expect(member("network", of: third.text) == member("network", of: every.text))
        // 7 samples in batches of 3: 3 steps an epoch.
        let epochs = answer("/step", base + #", "epochs": 2}"#)
        #expect(numbers("losses", of: epochs.text).count == 6)
        #expect(answer("/step", base + #", "steps": 6}"#).text == epochs.text)
    }

    /// A regularization of zeros is still a regularization asked for: penalties of 0 (a found
    /// crash: there were no penalties to report).
    @Test func zeroRegularizationReportsZeroPenalties() throws {
        let r = answer("/step", #"{"network": \#(network), \#(samples), "steps": 3, "regularization": {"l2": 0}, "details": false}"#)
        try #require(r.status == 200, "\(r.text)")
        #expect(numbers("penalties", of: r.text) == [0, 0, 0])
        let plain = answer("/step", #"{"network": \#(network), \#(samples), "steps": 3, "details": false}"#)
        #expect(member("network", of: r.text) == member("network", of: plain.text))
    }

    /// /gradients with regularization, by hand: ∂E/∂w + λ2·w + λ1·sign(w) on the weights (not the
    /// biases), and P = (λ2/2)Σw² + λ1Σ|w| beside the loss.
    @Test func gradientsAddThePenaltysTerm() throws {
        let body = #"{"network": {"layers": [{"weights": [[0.5, -0.25]], "biases": [0.1], "activation": "linear"}]}, "input": [1, 2], "target": [3]"#
        let plain = try JSONSerialization.jsonObject(with: Data(answer("/gradients", body + "}").text.utf8)) as! [String: Any]
        let r = answer("/gradients", body + #", "regularization": {"l2": 0.5, "l1": 0.125}}"#)
        let o = try JSONSerialization.jsonObject(with: Data(r.text.utf8)) as! [String: Any]
        let layer = (o["layers"] as! [[String: Any]])[0], plainLayer = (plain["layers"] as! [[String: Any]])[0]
        let g = (plainLayer["weightGradients"] as! [[Double]])[0]
        #expect((layer["weightGradients"] as! [[Double]])[0] == [g[0] + 0.5 * 0.5 + 0.125, g[1] + 0.5 * -0.25 - 0.125])
        #expect(layer["biasGradients"] as! [Double] == plainLayer["biasGradients"] as! [Double])
        #expect(o["penalty"] as? Double == 0.25 * (0.25 + 0.0625) + 0.125 * 0.75)
        #expect(o["loss"] as? Double == plain["loss"] as? Double)
        // /explain's gradient of a regularized weight is /gradients', bit for bit, and says how.
        let e = answer("/explain", body + #", "regularization": {"l2": 0.5, "l1": 0.125}, "weight": {"layer": 0, "unit": 0, "input": 1}}"#)
        let eo = try JSONSerialization.jsonObject(with: Data(e.text.utf8)) as! [String: Any]
        #expect(eo["gradient"] as? Double == (layer["weightGradients"] as! [[Double]])[0][1])
        #expect(eo["penaltyGradient"] as? Double == 0.5 * -0.25 - 0.125)
        #expect((eo["text"] as? String)?.contains("+ λ2·w^(1)_12 + λ1·sign(w^(1)_12)") == true, "\(eo["text"] ?? "")")
    }

    /// Every invalid optimizer input answers 422 pointing into /optimizer.
    @Test(arguments: [
        (#"{"name": "sgd", "nesterov": true}"#, "/optimizer/nesterov"),
        (#"{"name": "sgd", "momentum": 0.9, "dampening": 0.1, "nesterov": true}"#, "/optimizer/nesterov"),
        (#"{"name": "sgd", "momentum": -1}"#, "/optimizer/momentum"),
        (#"{"name": "adam", "betas": [1, 0.999]}"#, "/optimizer/betas/0"),
        (#"{"name": "adamw", "betas": [0.9, -0.1]}"#, "/optimizer/betas/1"),
        (#"{"name": "adam", "betas": [0.9]}"#, "/optimizer/betas"),
        (#"{"name": "adam", "eps": -1e-8}"#, "/optimizer/eps"),
        (#"{"name": "rmsprop", "alpha": -0.5}"#, "/optimizer/alpha"),
        (#""adamm""#, "/optimizer"),
        (#"{"name": "nadam"}"#, "/optimizer/name"),
        (#"{"name": "adam", "state": {"step": -1}}"#, "/optimizer/state/step"),
        (#"{"name": "adam", "state": {"step": 1, "layers": [{"weights": {}}]}}"#, "/optimizer/state/layers"),
        (#"{"name": "adam", "state": {"step": 1, "layers": [{"weights": {"expAvg": [[0, 0, 0]], "expAvgSq": [[0, 0, 0]]}}, {"weights": {}}]}}"#,
         "/optimizer/state/layers/0/weights/expAvg"),
        (#"{"name": "adam", "state": {"step": 1, "layers": [{"weights": {"expAvg": [[0, 0], [0, 0], [0, 0]]}}, {"weights": {}}]}}"#,
         "/optimizer/state/layers/0/weights"),
        (#"{"name": "adam", "state": {"step": 1, "layers": [{"weights": {"momentumBuffer": [[0, 0], [0, 0], [0, 0]]}}, {"weights": {}}]}}"#,
         "/optimizer/state/layers/0/weights/momentumBuffer"),
        (#"{"name": "adam", "lr": 0.1}"#, "/optimizer/lr"),
        ("[1]", "/optimizer"),
    ])
    func invalidOptimizersPointIntoOptimizer(_ optimizer: String, _ pointer: String) {
        let r = post("/step", #"{"network": \#(network), \#(samples), "optimizer": \#(optimizer)}"#)
        #expect(r.status == (optimizer == "[1]" ? 400 : 422), "\(r.object)")
        #expect(r.pointers.contains(pointer), "\(optimizer): \(r.pointers) \(r.details)")
    }

    @Test func invalidTrainingOptionsPointAtTheirFields() {
        for (extra, pointer) in [(#""batchSize": 0"#, "/batchSize"), (#""lossEvery": 0"#, "/lossEvery"), (#""epochs": 0"#, "/epochs"),
                                 (#""seed": -2"#, "/seed"), (#""regularization": {"l2": -1}"#, "/regularization/l2"),
                                 (#""regularization": {"L1": 1}"#, "/regularization/L1"),
                                 (#""validation": {"inputs": [[1, 2, 3]], "targets": [[1]]}"#, "/validation/inputs/0"),
                                 (#""validation": {"input": [1, 2]}"#, "/validation/target")] {
            let r = post("/step", #"{"network": \#(network), \#(samples), \#(extra)}"#)
            #expect(r.status == 422 || r.status == 400, "\(extra)")
            #expect(r.pointers == [pointer], "\(extra): \(r.pointers) \(r.details)")
        }
        let both = post("/step", #"{"network": \#(network), \#(samples), "steps": 2, "epochs": 2}"#)
        #expect(both.status == 400 && both.pointers == ["/epochs"])
    }

    /// The work limit counts the optimizer's updates, validation passes and regularization.
    @Test func theWorkLimitCountsEverythingComputed() {
        let limits = Limits(maxWork: 40_000, layerOverhead: 100, unitOverhead: 1)
        let service = BackpropService(configuration: ServiceConfiguration(limits: limits))
        // 13 parameters, 4 units, 7 samples, 2 layers: (100 + 1) × ((13 + 1 × 4) × 7 + 100 × 2) = 32219 fits.
        let base = #"{"network": \#(network), \#(samples), "steps": 100, "details": false"#
        #expect(post("/step", base + "}", service: service).status == 200)
        let adam = post("/step", base + #", "optimizer": "adam"}"#, service: service)
        #expect(adam.type == "urn:backprop:problem:limit-exceeded" && adam.pointers == ["/steps"])
        #expect(adam.details.first?.contains("work = steps × ((parameters + 1 × units) × batch + 100 × layers) + final loss + updates = 100 × ((13 + 1 × 4) × 7 + 100 × 2) + 1 × ((13 + 1 × 4) × 7 + 100 × 2) + 100 × 26 × 13 = 66019 exceeds the work limit 40000") == true, "\(adam.details)")
        let validation = post("/step", base + #", "validation": {"inputs": [[1, 2], [3, 4]], "targets": [[1], [0]]}}"#, service: service)
        #expect(validation.type == "urn:backprop:problem:limit-exceeded", "\(validation.object)")
    }
}
