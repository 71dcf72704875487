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
        try body.finish()
        try throwIfAny(request.limitIssues(config.limits, passes: 1))
        let problem = try request.problem(), form = request.form
        return Plan(work: request.work(config.limits, passes: 1)) { () throws(APIError) in
            ResponseBody.gradients(try form.compute { () throws(BackpropError) in try problem.gradients() }, batch: form.batch)
        }
    }

    static func step(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try StepRequest(&body)
        try body.finish()
        let limits = config.limits, options = request.options, details = request.details
        if options.steps > limits.maxSteps {
            // Alone: the work limit would only say the same about /steps in more words.
            throw APIError(issues: [FieldIssue(.limitExceeded, "/steps", "\(options.steps) steps exceed the limit of \(limits.maxSteps)")])
        }
        try throwIfAny(request.problem.limitIssues(limits, passes: options.steps + 1, workPointer: "/steps"))
        let problem = Handoff(try request.problem.problem()), form = request.problem.form
        return Plan(work: request.problem.work(limits, passes: options.steps + 1)) { () throws(APIError) in
            let result = try form.compute { () throws(BackpropError) in try problem.take().train(options) }
            return ResponseBody.step(result, batch: form.batch, details: details)
        }
    }

    static func explain(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try ExplainRequest(&body)
        try body.finish()
        try throwIfAny(request.problem.limitIssues(config.limits, passes: 1))
        let problem = try request.problem.problem(), form = request.problem.form
        try throwIfAny(request.indexIssues(problem.network))
        let parameter = request.parameter, learningRate = request.learningRate
        return Plan(work: request.problem.work(config.limits, passes: 1)) { () throws(APIError) in
            let explanation = try form.compute { () throws(BackpropError) in try problem.explain(parameter) }
            return ResponseBody.explain(explanation, WrittenExplanation(explanation, learningRate: learningRate))
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
