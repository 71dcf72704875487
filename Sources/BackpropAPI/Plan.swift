// A request read and checked, before it runs: its cost (work, memory, the size of its answer),
// known from its counts, and the computation that writes the answer. The cost model lives here:
// what each route keeps in memory while it computes, and how large its answer will be.

import Backprop

/// A request read and checked: what it will cost, and the computation that answers it.
struct Plan: Sendable {
    /// In the limits' units (`Limits.work`; about a nanosecond each).
    var work: Int
    /// Peak memory of the request besides its body (added by the service): an upper bound, since
    /// MicroHTTP's promise that resident memory stays within the budget rests on it.
    var memoryBytes: Int
    /// The answer's size, estimated as `estimatedBytes` does (at most 25 bytes a number).
    var responseBytes: Int
    /// Where a request whose answer is too large is pointed, and what would shrink it.
    var responsePointer: String
    var responseHint: String
    /// Computes the response body; a 422 if the computation overflows. A long computation asks
    /// `clientGone` between steps and stops when the client has left.
    var run: @Sendable (_ clientGone: @Sendable () -> Bool) throws(APIError) -> [UInt8]

    /// What any request holds besides its numbers: its state, headers, small answers.
    static let baseBytes = 64 << 10

    init(work: Int, memory: Memory, responseNumbers: Int, responsePointer: String, responseHint: String,
         run: @escaping @Sendable (_ clientGone: @Sendable () -> Bool) throws(APIError) -> [UInt8]) {
        self.work = work
        responseBytes = estimatedBytes(numbers: responseNumbers)
        memoryBytes = memory.total(plus: responseBytes)
        self.responsePointer = responsePointer
        self.responseHint = responseHint
        self.run = run
    }

    /// 422 for an answer over `maxResponseBytes` or a request over the whole memory budget (it
    /// could never run, so a 503 would only invite retries).
    func checkLimits(_ config: ServiceConfiguration) throws(APIError) {
        var issues: [FieldIssue] = []
        if responseBytes > config.maxResponseBytes {
            issues.append(FieldIssue(.limitExceeded, responsePointer,
                "the answer would be about \(responseBytes) bytes; the limit is \(config.maxResponseBytes) (--max-response-bytes): \(responseHint)"))
        }
        if memoryBytes > config.maxMemoryBytes {
            issues.append(FieldIssue(.limitExceeded, responsePointer,
                "the request would need about \(memoryBytes) bytes of memory; this server's budget is \(config.maxMemoryBytes) (--max-memory)"))
        }
        if !issues.isEmpty { throw APIError(issues: issues) }
    }
}

/// The memory a request keeps while it is planned and computed, counted in float64 numbers: an
/// upper bound, added up without regard to what is freed early (the parsed document is freed
/// before the computation starts, for instance).
struct Memory {
    /// Numbers read from the body: each lives in the parsed document's pool and in the matrix
    /// read from it.
    var parsed = 0
    /// Numbers the computation holds at its peak: passes, gradients, optimizer buffers.
    var computed = 0

    func total(plus responseBytes: Int) -> Int {
        let numbers = parsed.multipliedReportingOverflow(by: 2).partialValue.addingReportingOverflow(computed).partialValue
        let (bytes, o1) = numbers.multipliedReportingOverflow(by: 8)
        let (withResponse, o2) = bytes.addingReportingOverflow(responseBytes)
        let (total, o3) = withResponse.addingReportingOverflow(Plan.baseBytes)
        return o1 || o2 || o3 ? Int.max : total
    }
}

/// Counts of a network and samples for the cost model, with overflow saturating at Int.max.
struct Sizes {
    let parameters: Int
    /// Σ units over the layers: the numbers a pass keeps per sample for each of a and z.
    let units: Int
    /// The widest layer's inputs: the transient ∂E/∂z of the layer below, per sample.
    let widestInput: Int
    let outputs: Int

    init(_ network: Network) {
        parameters = network.parameterCount
        units = network.layers.reduce(0) { $0 + $1.units }
        widestInput = network.layers.map(\.inputs).max() ?? 0
        outputs = network.layers.last?.units ?? 0
    }

    /// a and z of every layer for n samples.
    func forward(_ n: Int) -> Int { mul(n, 2 * units) }
    /// a, z and δ of every layer, the transient ∂E/∂z below, and the parameter gradients.
    func backward(_ n: Int) -> Int { add(mul(n, 3 * units + widestInput), parameters) }
}

func mul(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? Int.max : r
}

func add(_ a: Int, _ b: Int) -> Int {
    let (r, o) = a.addingReportingOverflow(b)
    return o ? Int.max : r
}
