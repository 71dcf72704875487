// The response bodies, written straight from the core's results into one JSON byte buffer.
// Per-sample quantities mirror the request's form: a vector for `input`, a matrix for `inputs`.
// Key order follows api-contract.md so a person reading curl output sees it in the documented order.

import Backprop
import ExplanationText
import JSONCodec

extension JSONWriter {
    /// A per-sample quantity: row 0 as a vector for a single sample, all rows for a batch.
    mutating func samples(_ m: Matrix, batch: Bool) {
        if batch { matrix(m) } else { rows(of: m, 0..<1) }
    }

    /// A parameter matrix (weights or their gradients), or a batch, row by row.
    mutating func matrix(_ m: Matrix) {
        beginArray()
        rows(of: m, 0..<m.rows)
        endArray()
    }

    /// Rows `range` of `m`, each as an array of numbers, read in place from its storage.
    private mutating func rows(of m: Matrix, _ range: Range<Int>) {
        let cols = m.cols
        m.storage.withUnsafeBufferPointer { all in
            for r in range { numbers(UnsafeBufferPointer(rebasing: all[r * cols ..< (r + 1) * cols])) }
        }
    }

    /// A network in the request's own shape: biases exactly where they were.
    mutating func network(_ network: Network) {
        beginObject()
        key("layers")
        beginArray()
        for layer in network.layers {
            beginObject()
            key("weights"); matrix(layer.weights)
            if let b = layer.biases { key("biases"); numbers(b) }
            key("activation"); string(layer.activation.rawValue)
            endObject()
        }
        endArray()
        endObject()
    }

    /// The per-layer objects of /gradients and /step.
    mutating func gradientLayers(_ layers: [LayerGradients], batch: Bool) {
        beginArray()
        for g in layers {
            beginObject()
            key("weightedSums"); samples(g.weightedSums, batch: batch)
            key("outputs"); samples(g.outputs, batch: batch)
            key("deltas"); samples(g.deltas, batch: batch)
            key("weightGradients"); matrix(g.weightGradients)
            if let db = g.biasGradients { key("biasGradients"); numbers(db) }
            endObject()
        }
        endArray()
    }
}

/// A response's size from its count of numbers: 25 bytes per number (the longest shortest
/// round-trip float64, `-2.2250738585072014e-308`, and its comma), plus 1 KiB for keys and
/// brackets. An upper bound, so the writer reserves it once and never regrows (a malloc and a copy
/// of megabytes for a large response); untouched capacity is never resident. The writer's
/// reservation stops at 1 GiB; the response limit refuses long before.
func estimatedBytes(numbers: Int) -> Int {
    add(1024, mul(numbers, 25))
}

enum ResponseBody {
    /// /forward: `output`, `layers` (weightedSums, outputs), `loss` when a target was sent.
    static func forward(_ r: ForwardResult, batch: Bool) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: estimatedBytes(numbers: r.layers.reduce(0) { $0 + 2 * $1.outputs.storage.count }))
        w.beginObject()
        w.key("output"); w.samples(r.output, batch: batch)
        w.key("layers")
        w.beginArray()
        for l in r.layers {
            w.beginObject()
            w.key("weightedSums"); w.samples(l.weightedSums, batch: batch)
            w.key("outputs"); w.samples(l.outputs, batch: batch)
            w.endObject()
        }
        w.endArray()
        if let loss = r.loss { w.key("loss"); w.number(loss) }
        w.endObject()
        return w.takeBytes()
    }

    /// /gradients: `loss`, `penalty` with regularization, `output`, `layers`.
    static func gradients(_ r: GradientsResult, penalty: Double?, batch: Bool) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: estimatedBytes(numbers: gradientNumbers(r.layers)))
        w.beginObject()
        w.key("loss"); w.number(r.loss)
        if let penalty { w.key("penalty"); w.number(penalty) }
        w.key("output"); w.samples(r.output, batch: batch)
        w.key("layers"); w.gradientLayers(r.layers, batch: batch)
        w.endObject()
        return w.takeBytes()
    }

    /// /step: `network`, `loss`, `losses`, `finalLoss`, and `layers` unless details are off.
    /// /step: `network`, `loss`, `losses`, `finalLoss`; `penalty` and `penalties` with
    /// regularization; `validationLosses` and `finalValidationLoss` with a validation set;
    /// `optimizer` (and its state) when one was sent; `layers` unless details are off.
    static func step(_ r: TrainingResult, batch: Bool, _ answer: StepAnswer) -> [UInt8] {
        let buffers = r.optimizer.state.layers.reduce(0) { $0 + $1.weights.present.count + ($1.biases?.present.count ?? 0) }
        let size = r.network.parameterCount * (1 + (answer.optimizer ? buffers : 0)) + r.losses.count * 3
            + (answer.details ? gradientNumbers(r.lastGradients.layers) : 0)
        var w = JSONWriter(reservingCapacity: estimatedBytes(numbers: size))
        w.beginObject()
        w.key("network"); w.network(r.network)
        w.key("loss"); w.number(r.loss)
        w.key("losses"); w.numbers(r.losses)
        w.key("finalLoss"); w.number(r.finalLoss)
        if answer.regularized {
            w.key("penalty"); w.number(r.penalties[0])
            w.key("penalties"); w.numbers(r.penalties)
        }
        if answer.validation {
            w.key("validationLosses"); w.numbers(r.validationLosses)
            w.key("finalValidationLoss"); w.number(r.finalValidationLoss!)
        }
        if answer.optimizer { w.key("optimizer"); w.optimizer(r.optimizer, network: r.network) }
        if answer.details { w.key("layers"); w.gradientLayers(r.lastGradients.layers, batch: batch) }
        w.endObject()
        return w.takeBytes()
    }

    /// /init: `{ "network": … }`.
    static func initialize(_ network: Network) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: estimatedBytes(numbers: network.parameterCount))
        w.beginObject()
        w.key("network"); w.network(network)
        w.endObject()
        return w.takeBytes()
    }

    /// /explain: the weight (or bias), gradient, update, chain-rule factors, delta, and the derivation.
    static func explain(_ e: Explanation, _ written: WrittenExplanation) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 2048)
        w.beginObject()
        switch e.parameter {
        case .weight(let l, let j, let i):
            w.key("weight")
            w.beginObject()
            w.key("layer"); w.integer(l)
            w.key("unit"); w.integer(j)
            w.key("input"); w.integer(i)
        case .bias(let l, let j):
            w.key("bias")
            w.beginObject()
            w.key("layer"); w.integer(l)
            w.key("unit"); w.integer(j)
        }
        w.key("symbol"); w.string(written.symbol)
        w.key("value"); w.number(e.value)
        w.endObject()
        w.key("gradient"); w.number(e.gradient)
        if let p = written.penaltyGradient { w.key("penaltyGradient"); w.number(p) }
        w.key("updated"); w.number(written.updated)
        w.key("factors")
        w.beginArray()
        for f in written.factors {
            w.beginObject()
            w.key("symbol"); w.string(f.symbol)
            w.key("expression"); w.string(f.expression)
            w.key("latex"); w.string(f.latex)
            w.key("value"); w.number(f.value)
            w.endObject()
        }
        w.endArray()
        w.key("delta")
        w.beginObject()
        w.key("symbol"); w.string(written.deltaSymbol)
        w.key("value"); w.number(e.delta)
        w.endObject()
        w.key("latex"); w.string(written.latex)
        w.key("text"); w.string(written.text)
        if let note = written.note { w.key("note"); w.string(note) }
        w.endObject()
        return w.takeBytes()
    }

    /// /healthz: `ok`, and the other requests in flight (this one not counted), so a load test
    /// can see the count return to zero.
    static func health(inFlight: Int) -> [UInt8] {
        var w = JSONWriter(reservingCapacity: 40)
        w.beginObject()
        w.key("status"); w.string("ok")
        w.key("inFlight"); w.integer(inFlight)
        w.endObject()
        return w.takeBytes()
    }

    private static func gradientNumbers(_ layers: [LayerGradients]) -> Int {
        layers.reduce(0) { $0 + 3 * $1.outputs.storage.count + $1.weightGradients.storage.count + ($1.biasGradients?.count ?? 0) }
    }
}

/// What a /step answer carries besides its network and losses: each only when the request asked.
struct StepAnswer: Sendable {
    /// `layers`: the last step's backward pass.
    var details: Bool
    /// `optimizer`, with its state, when the request sent one.
    var optimizer: Bool
    /// `penalty` and `penalties`, when the request sent `regularization`.
    var regularized: Bool
    /// `validationLosses` and `finalValidationLoss`, when the request sent `validation`.
    var validation: Bool
}
