// One function per computing route, in two phases: read and check the request (every error that
// can be found before computing is found here), then a Plan: the work it will take, known before
// it runs, and the computation that writes the response. Nothing in a handler knows about HTTP.

import Backprop
import ExplanationText

/// A request read and checked: what it will cost, and the computation that answers it.
struct Plan: Sendable {
    /// In the limits' units (`Limits.work`; about a nanosecond each).
    var work: Int
    /// Computes the response body; a 422 if the computation overflows.
    var run: @Sendable () throws(APIError) -> [UInt8]
}

/// A value handed from the planning phase to its computation, which takes it once: the
/// computation then owns the value alone and may update its arrays in place instead of copying.
final class Handoff<Value>: @unchecked Sendable {
    // Unchecked: taken exactly once, by the one thread that runs the plan.
    private var value: Value?

    init(_ value: Value) { self.value = value }

    func take() -> Value {
        defer { value = nil }
        return value!
    }
}

enum Handlers {
    static func forward(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try ProblemRequest(&body, targetRequired: false)
        try body.finish()
        try throwIfAny(request.limitIssues(config.limits, passes: 1))
        let problem = try request.problem(), form = request.form
        return Plan(work: request.work(config.limits, passes: 1)) { () throws(APIError) in
            ResponseBody.forward(try form.compute { () throws(BackpropError) in try problem.forward() }, batch: form.batch)
        }
    }

    static func gradients(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try ProblemRequest(&body, targetRequired: true)
        let regularization = try Regularization.read(&body)
        try body.finish()
        try throwIfAny(request.limitIssues(config.limits, passes: 1))
        let problem = try request.problem(), form = request.form
        return Plan(work: request.work(config.limits, passes: 1)) { () throws(APIError) in
            // With regularization, the whole objective's weight gradients, and P beside E.
            let (g, penalty) = try form.compute { () throws(BackpropError) -> (GradientsResult, Double?) in
                var g = try problem.gradients()
                let penalty = try regularization.map { (r) throws(BackpropError) in try g.addRegularization(r, of: problem.network) }
                return (g, penalty)
            }
            return ResponseBody.gradients(g, penalty: penalty, batch: form.batch)
        }
    }

    static func step(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try StepRequest(&body)
        try body.finish()
        let limits = config.limits
        guard let steps = request.steps, steps <= limits.maxSteps else {
            // Alone: the work limit would only say the same about the steps in more words.
            let asked = request.steps.map(String.init) ?? "more than \(Int.max)"
            throw APIError(issues: [FieldIssue(.limitExceeded, request.stepsPointer, "\(asked) steps exceed the limit of \(limits.maxSteps)")])
        }
        var options = request.options
        options.steps = steps
        let problemRequest = request.problem, network = problemRequest.network, n = problemRequest.inputs.rows
        let validation = request.validation, algorithm = request.optimizer?.algorithm ?? .plain
        let recorded = (steps - 1) / options.lossEvery + 1
        var issues = limits.sizeIssues(parameters: network.parameterCount, samples: n, samplesPointer: problemRequest.form.samplesPointer)
        if let v = validation, v.inputs.rows > limits.maxBatch {
            issues.append(FieldIssue(.limitExceeded, v.form.samplesPointer, "the validation set has \(v.inputs.rows) samples; the limit is \(limits.maxBatch)"))
        }
        let work = limits.training(parameters: network.parameterCount, weights: network.layers.reduce(0) { $0 + $1.weights.storage.count },
                                   layers: network.layers.count, batch: min(options.batchSize ?? n, n), samples: n, steps: steps,
                                   validationSamples: validation?.inputs.rows ?? 0, validationPasses: recorded + 1,
                                   update: algorithm.updateWork, regularized: request.regularized)
        try throwIfAny(issues + work.issues(limits, at: request.stepsPointer))

        let problem = try problemRequest.problem()
        let validationSet = try validation.map { (v) throws(APIError) -> ValidationSet in
            // Checked as a problem of its own: shaped for the network, in the loss's domain.
            let checked = try v.form.compute { () throws(BackpropError) in
                try Problem(network: network, inputs: v.inputs, targets: v.targets, loss: problemRequest.loss, reduction: problemRequest.reduction)
            }
            return ValidationSet(inputs: checked.inputs, targets: checked.targets!)
        }
        try throwIfAny(request.optimizer?.issues(network: network, steps: steps) ?? [])
        let optimizer = Optimizer(algorithm, state: request.optimizer?.state ?? OptimizerState())
        let handoff = Handoff(problem), form = problemRequest.form, training = options
        let answer = StepAnswer(details: request.details, optimizer: request.optimizer != nil, regularized: request.regularized,
                                validation: validation != nil)
        return Plan(work: work.total ?? Int.max) { () throws(APIError) in
            let result = try form.compute { () throws(BackpropError) in
                try handoff.take().train(training, optimizer: optimizer, validation: validationSet)
            }
            return ResponseBody.step(result, batch: form.batch, answer)
        }
    }

    static func explain(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try ExplainRequest(&body)
        let regularization = try Regularization.read(&body) ?? .none
        try body.finish()
        try throwIfAny(request.problem.limitIssues(config.limits, passes: 1))
        let problem = try request.problem.problem(), form = request.problem.form
        try throwIfAny(request.indexIssues(problem.network))
        let parameter = request.parameter, learningRate = request.learningRate
        return Plan(work: request.problem.work(config.limits, passes: 1)) { () throws(APIError) in
            let explanation = try form.compute { () throws(BackpropError) in try problem.explain(parameter, regularization: regularization) }
            let written = WrittenExplanation(explanation, learningRate: learningRate)
            guard written.updated.isFinite else {
                throw APIError(issues: [FieldIssue(.nonFinite, "/learningRate",
                    "the updated value \(explanation.value) − \(learningRate) · \(explanation.gradient) overflows; try a smaller learning rate")])
            }
            return ResponseBody.explain(explanation, written)
        }
    }

    static func initialize(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        var request = try InitRequest(&body)
        try body.finish(adding: request.issues(config.limits))
        let spec = request.spec
        // Drawing a parameter takes a few ns; writing it as JSON about 45 (JSONBenchmark: 450 MB/s
        // at about 20 bytes a number), which dominates.
        let (work, overflow) = (spec.parameterCount ?? Int.max).multipliedReportingOverflow(by: 50)
        return Plan(work: overflow ? Int.max : work) { () throws(APIError) in
            ResponseBody.initialize(initialNetwork(spec))
        }
    }

    /// A 422 listing `issues`, if there are any.
    private static func throwIfAny(_ issues: [FieldIssue]) throws(APIError) {
        if !issues.isEmpty { throw APIError(issues: issues) }
    }
}
