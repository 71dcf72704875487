// One function per computing route, in two phases: read and check the request (every error that
// can be found before computing is found here), then a Plan: the work it will take, known before
// it runs, and the computation that writes the response. Nothing in a handler knows about HTTP.

import Backprop
import ExplanationText

/// A problem handed from the planning phase to its computation, which takes it once: the
/// computation then owns the problem alone and may update its arrays in place instead of copying.
/// Not generic: a generic class's deinit looks up its `Value?` metadata in the runtime's hash table
/// on every request (about 600 instructions, and their cache misses, on a small /step).
final class ProblemHandoff: @unchecked Sendable {
    // Unchecked: taken exactly once, by the one thread that runs the plan.
    private var value: Problem?

    init(_ value: Problem) { self.value = value }

    func take() -> Problem {
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
        let sizes = Sizes(problem.network), n = problem.inputs.rows
        return Plan(work: request.work(config.limits, passes: 1),
                    memory: Memory(parsed: request.parsedNumbers, computed: sizes.forward(n)),
                    responseNumbers: mul(n, 2 * sizes.units + sizes.outputs), responsePointer: form.samplesPointer,
                    responseHint: "it holds a and z of every unit for every sample; send fewer samples at a time") { _ throws(APIError) in
            ResponseBody.forward(try form.compute { () throws(BackpropError) in try problem.forward() }, batch: form.batch)
        }
    }

    static func gradients(_ body: inout FieldObject, _ config: ServiceConfiguration) throws(APIError) -> Plan {
        let request = try ProblemRequest(&body, targetRequired: true)
        let regularization = try Regularization.read(&body)
        try body.finish()
        try throwIfAny(request.limitIssues(config.limits, passes: 1))
        let problem = try request.problem(), form = request.form
        let sizes = Sizes(problem.network), n = problem.inputs.rows
        return Plan(work: request.work(config.limits, passes: 1),
                    memory: Memory(parsed: request.parsedNumbers, computed: sizes.backward(n)),
                    responseNumbers: add(mul(n, 3 * sizes.units + sizes.outputs), sizes.parameters), responsePointer: form.samplesPointer,
                    responseHint: "it holds a, z and δ of every unit for every sample; send fewer samples at a time") { _ throws(APIError) in
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
                                   units: network.unitCount, layers: network.layers.count, batch: min(options.batchSize ?? n, n), samples: n, steps: steps,
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
        let handoff = ProblemHandoff(problem), form = problemRequest.form, training = options
        let answer = StepAnswer(details: request.details, optimizer: request.optimizer != nil, regularized: request.regularized,
                                validation: validation != nil)
        // Memory: a step's backward pass on its batch (and the batch's rows), the optimizer's
        // buffers, and the forward passes of the final and validation losses.
        let sizes = Sizes(network), batch = min(options.batchSize ?? n, n), v = validation?.inputs.rows ?? 0
        let buffers = mul(algorithm.buffers.count, sizes.parameters)
        let computed = add(add(sizes.backward(batch), mul(batch, sizes.widestInput + sizes.outputs)),
                           add(buffers, sizes.forward(max(n, v))))
        let perRecord = 1 + (request.regularized ? 1 : 0) + (validation == nil ? 0 : 1)
        let responseNumbers = add(add(mul(sizes.parameters, 1 + (answer.optimizer ? algorithm.buffers.count : 0)), mul(recorded, perRecord)),
                                  answer.details ? add(mul(batch, 3 * sizes.units), sizes.parameters) : 0)
        var parsed = add(request.problem.parsedNumbers, validation.map { add($0.inputs.storage.count, $0.targets?.storage.count ?? 0) } ?? 0)
        parsed = add(parsed, request.optimizer?.layers.reduce(0) { $0 + $1.weights.reduce(0) { $0 + $1.1.storage.count } } ?? 0)
        // Asking whether the client left costs a poll(2), about 0.5 µs: every millisecond of work or so.
        let perStep = max(1, (work.total ?? Int.max) / max(steps, 1))
        let checkEvery = max(1, 1_000_000 / perStep)
        return Plan(work: work.total ?? Int.max, memory: Memory(parsed: parsed, computed: computed), responseNumbers: responseNumbers,
                    responsePointer: request.details ? "/details" : "/lossEvery",
                    responseHint: "send \"details\": false (no layers), a smaller batchSize, or lossEvery to keep fewer losses") { clientGone throws(APIError) in
            let result = try form.compute { () throws(BackpropError) in
                try handoff.take().train(training, optimizer: optimizer, validation: validationSet, stopWhen: clientGone, checkEvery: checkEvery)
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
        let sizes = Sizes(problem.network)
        // The answer is a derivation of a few factors (sums above 8 terms are abbreviated): a few kilobytes.
        return Plan(work: request.problem.work(config.limits, passes: 1),
                    memory: Memory(parsed: request.problem.parsedNumbers, computed: sizes.backward(problem.inputs.rows)),
                    responseNumbers: 256, responsePointer: "/weight", responseHint: "") { _ throws(APIError) in
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
        let parameters = spec.parameterCount ?? Int.max
        // The answer: every parameter, and each layer's own text, `{"weights":[[`, `]],"biases":[`,
        // `],"activation":"leaky_relu"}`, about 50 bytes, counted as 2 numbers more. Counting the
        // parameters alone, a stack of 1-1 layers answered 73.5 MB (10⁶ layers) and 123 MB (2·10⁶
        // layers without biases), estimated 50 MB, over the 64 MiB of --max-response-bytes.
        let layers = max(spec.sizes.count - 1, 0)
        return Plan(work: mul(parameters, 50), memory: Memory(computed: parameters), responseNumbers: add(parameters, mul(2, layers)),
                    responsePointer: "/sizes", responseHint: "ask for a smaller network") { _ throws(APIError) in
            ResponseBody.initialize(initialNetwork(spec))
        }
    }

    /// A 422 listing `issues`, if there are any.
    private static func throwIfAny(_ issues: [FieldIssue]) throws(APIError) {
        if !issues.isEmpty { throw APIError(issues: issues) }
    }
}
