// Samples as a request sends them: one vector (`input`, `target`) or a batch of rows (`inputs`,
// `targets`), at the top of the body or inside another object (the validation set). Answers
// mirror the form, and the core's issues about the samples are pointed back into it.

import Backprop

/// Inputs and targets read from one object, with the form they came in.
struct Samples {
    /// x: one row, or one row per sample.
    var inputs: Matrix
    var targets: Matrix?
    var form: SampleForm

    /// Reads `input`/`target` or `inputs`/`targets` from `o`, which sits at `pointer` in the body
    /// ("" for the body itself).
    init(_ o: inout FieldObject, targetRequired: Bool, at pointer: String) throws(APIError) {
        if o.has("input") && o.has("inputs") {
            throw APIError.badField("/inputs", "send either input (one sample) or inputs (a batch), not both")
        }
        if let v = try o.vector("input") {
            inputs = Matrix(rows: 1, cols: v.count, storage: v)
            form = SampleForm(batch: false, at: pointer)
        } else if let m = try o.matrix("inputs", noun: "number") {
            inputs = m
            form = SampleForm(batch: true, at: pointer)
        } else {
            throw APIError.badField("/input", "required: input (a vector, one sample) or inputs (a matrix, one row per sample)")
        }
        let batch = form.batch
        let (targetKey, otherKey): (StaticString, StaticString) = batch ? ("targets", "target") : ("target", "targets")
        if o.has(otherKey) {
            throw APIError.badField("/\(otherKey)", batch ? "with inputs (a batch) send targets, one row per input row"
                                                       : "with input (one sample) send target, a vector")
        }
        targets = if batch { try o.matrix("targets", noun: "number") } else { try o.vector("target").map { Matrix(rows: 1, cols: $0.count, storage: $0) } }
        if targets == nil && targetRequired {
            throw o.missing(targetKey, "the \(targetKey) the outputs are compared with")
        }
    }
}

/// How an object sent its samples, and where that object is. Answers mirror the form; the core's
/// errors are pointed into it.
struct SampleForm: Sendable {
    var batch: Bool
    /// The pointer of the object holding the samples: "" for the body, "/validation" for the
    /// validation set.
    var at: String = ""

    /// The pointer of `inputs` or `input`.
    var samplesPointer: String { at + (batch ? "/inputs" : "/input") }

    /// Runs a core computation, its errors pointed at the request's fields (422).
    func compute<T>(_ body: () throws(BackpropError) -> T) throws(APIError) -> T {
        do { return try body() } catch { throw APIError(error, pointer: pointer) }
    }

    /// The request field a part of the problem came from.
    func pointer(_ part: ProblemPart) -> String {
        let (x, t) = batch ? (at + "/inputs", at + "/targets") : (at + "/input", at + "/target")
        func layer(_ l: Int) -> String { "/network/layers/\(l)" }
        func sample(_ key: String, _ n: Int) -> String { batch ? "\(key)/\(n)" : key }
        return switch part {
        case .network: "/network"
        case .layers: "/network/layers"
        case .layer(let l): layer(l)
        case .weights(let l): layer(l) + "/weights"
        case .weightRow(let l, let j): layer(l) + "/weights/\(j)"
        case .weight(let l, let j, let i): layer(l) + "/weights/\(j)/\(i)"
        case .biases(let l): layer(l) + "/biases"
        case .bias(let l, let j): layer(l) + "/biases/\(j)"
        case .activation(let l): layer(l) + "/activation"
        case .inputs: x
        case .input(let n): sample(x, n)
        case .inputValue(let n, let i): sample(x, n) + "/\(i)"
        case .targets: t
        case .target(let n): sample(t, n)
        case .targetValue(let n, let k): sample(t, n) + "/\(k)"
        case .loss: "/loss"
        }
    }
}
