// /step's request: the problem, and how to train on it: learning rate and steps (or epochs),
// mini-batches, regularization, a validation set, which losses to record, and the optimizer with
// its state. Each field is one read here; its checks that need no network are made here too.

import Backprop

/// /step: the problem and how to train on it.
struct StepRequest {
    var problem: ProblemRequest
    var options: TrainingOptions
    /// `epochs` instead of `steps`: steps = epochs · ⌈N/B⌉, known once N is.
    var epochs: Int?
    /// false answers only network, losses (and what the new fields add), not `layers`.
    var details: Bool
    var optimizer: OptimizerRequest?
    var validation: Samples?
    /// Whether `regularization` was sent: only then does the answer report penalties.
    var regularized: Bool

    init(_ body: inout FieldObject) throws(APIError) {
        problem = try ProblemRequest(&body, targetRequired: true)
        let defaults = TrainingOptions()  // the core's defaults are the API's
        if body.has("steps") && body.has("epochs") {
            throw APIError.badField("/epochs", "send either steps or epochs (steps = epochs × ⌈samples / batchSize⌉), not both")
        }
        options = TrainingOptions(learningRate: try body.number("learningRate", default: defaults.learningRate),
                                  steps: try body.integer("steps", default: defaults.steps),
                                  updateBiases: try body.bool("updateBiases", default: defaults.updateBiases),
                                  batchSize: try body.integer("batchSize"),
                                  shuffle: try body.bool("shuffle"),
                                  lossEvery: try body.integer("lossEvery", default: defaults.lossEvery))
        epochs = try body.integer("epochs")
        let seed = try body.integer("seed", default: 0)
        options.seed = UInt64(max(seed, 0))
        details = try body.bool("details", default: true)
        let regularization = try Regularization.read(&body)
        regularized = regularization != nil
        options.regularization = regularization ?? .none
        validation = try body.object("validation") { v throws(APIError) in try Samples(&v, targetRequired: true, at: "/validation") }
        optimizer = try OptimizerRequest.read(&body)

        if options.steps < 1 { body.invalid("steps", "expected at least 1 step, found \(options.steps)") }
        if let epochs, epochs < 1 { body.invalid("epochs", "expected at least 1 epoch, found \(epochs)") }
        if let b = options.batchSize, b < 1 { body.invalid("batchSize", "expected at least 1 sample per batch, found \(b)") }
        if options.lossEvery < 1 { body.invalid("lossEvery", "expected at least 1 (every step), found \(options.lossEvery)") }
        if seed < 0 { body.invalid("seed", "expected an integer ≥ 0, found \(seed)") }
        checkLearningRate(options.learningRate, in: &body)
    }

    /// The steps to take: `steps`, or `epochs` · ⌈N/B⌉ (nil when that overflows).
    var steps: Int? {
        guard let epochs else { return options.steps }
        let n = problem.inputs.rows, b = min(options.batchSize ?? n, max(n, 1))
        let (steps, overflow) = epochs.multipliedReportingOverflow(by: (n + b - 1) / max(b, 1))
        return overflow ? nil : steps
    }

    /// The field the step count came from.
    var stepsPointer: String { epochs == nil ? "/steps" : "/epochs" }
}

extension Regularization {
    /// `regularization`: `{"l2": λ2, "l1": λ1}`, each a finite number ≥ 0 (default 0); nil when
    /// the request has none.
    static func read(_ body: inout FieldObject) throws(APIError) -> Regularization? {
        try body.object("regularization") { r throws(APIError) in
            let (l2, l1) = (try r.number("l2", default: 0), try r.number("l1", default: 0))
            if !l2.isFinite || l2 < 0 { r.invalid("l2", "expected a finite number ≥ 0, found \(l2)") }
            if !l1.isFinite || l1 < 0 { r.invalid("l1", "expected a finite number ≥ 0, found \(l1)") }
            return Regularization(l2: l2, l1: l1)
        }
    }
}
