// One function per computing route: read the request, ask the core, write the response.
// Core errors become 422 problems here; nothing in a handler knows about HTTP.

import Backprop

enum Handlers {
    static func forward(_ body: FieldObject, _ config: ServiceConfiguration) throws(APIError) -> [UInt8] {
        let request = try ProblemRequest(body, targetRequired: false)
        let problem = try core { () throws(BackpropError) in try request.spec.validated(limits: config.limits, requireTargets: false) }
        let result = try core { () throws(BackpropError) in try problem.forward() }
        return ResponseBody.forward(result, batch: problem.isBatch)
    }

    static func gradients(_ body: FieldObject, _ config: ServiceConfiguration) throws(APIError) -> [UInt8] {
        let request = try ProblemRequest(body, targetRequired: true)
        let problem = try core { () throws(BackpropError) in try request.spec.validated(limits: config.limits, requireTargets: true) }
        let result = try core { () throws(BackpropError) in try problem.gradients() }
        return ResponseBody.gradients(result, batch: problem.isBatch)
    }

    static func step(_ body: FieldObject, _ config: ServiceConfiguration) throws(APIError) -> [UInt8] {
        let request = try StepRequest(body)
        let problem = try core { () throws(BackpropError) in
            try request.problem.spec.validated(limits: config.limits, requireTargets: true, options: request.options)
        }
        let result = try core { () throws(BackpropError) in try problem.train(request.options) }
        return ResponseBody.step(result, batch: problem.isBatch, details: request.details)
    }

    static func explain(_ body: FieldObject, _ config: ServiceConfiguration) throws(APIError) -> [UInt8] {
        let request = try ExplainRequest(body)
        let problem = try core { () throws(BackpropError) in try request.problem.spec.validated(limits: config.limits, requireTargets: true) }
        let result = try core { () throws(BackpropError) in try problem.explain(request.weight, learningRate: request.learningRate) }
        return ResponseBody.explain(result)
    }

    static func initialize(_ body: FieldObject, _ config: ServiceConfiguration) throws(APIError) -> [UInt8] {
        let request = try InitRequest(body)
        let network = try core { () throws(BackpropError) in
            try initialNetwork(request.spec, activationsKey: request.activationsKey, limits: config.limits)
        }
        return ResponseBody.initialize(network)
    }

    /// Runs a core call, turning its error into a 422 problem.
    private static func core<T>(_ body: () throws(BackpropError) -> T) throws(APIError) -> T {
        do { return try body() } catch { throw APIError(error) }
    }
}
