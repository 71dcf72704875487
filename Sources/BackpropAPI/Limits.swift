// Caps on the size of one request's computation, checked from its counts before the core runs,
// so that one request cannot take the machine. Defaults keep a request under about a second on 2
// cores. The work formula is the cost model of Network's passes; the caps are the operator's.

/// How much one request may ask of the core.
public struct Limits: Sendable, Equatable {
    /// Weights plus biases of the whole network.
    public var maxParameters: Int
    /// Samples in one batch.
    public var maxBatch: Int
    /// Gradient steps in one /step request.
    public var maxSteps: Int
    /// A request's work, in parameter-samples:
    ///
    ///     work = passes × (parameters × samples + layerOverhead × layers),   passes = steps + 1
    ///
    /// A parameter-sample is about 6 flops (2 forward, 4 backward); the last pass computes the
    /// final loss.
    public var maxWork: Int
    /// What one layer costs per pass beyond its arithmetic (allocations, activation and checks),
    /// in parameter-samples. Without it, deep stacks of small layers looked cheap: three 40×40
    /// layers for 100 000 steps counted 4.8·10⁸ and took 2 s (measured); with 4096 they count
    /// 1.7·10⁹ and are refused, while XOR for 100 000 steps (0.5 s) still fits.
    public var layerOverhead: Int

    public init(maxParameters: Int = 2_000_000, maxBatch: Int = 10_000, maxSteps: Int = 100_000,
                maxWork: Int = 1_000_000_000, layerOverhead: Int = 4096) {
        self.maxParameters = maxParameters
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        self.maxWork = maxWork
        self.layerOverhead = layerOverhead
    }

    public static let `default` = Limits()

    /// `passes × (parameters × samples + layerOverhead × layers)`, or nil when it overflows Int.
    public func work(parameters: Int, samples: Int, layers: Int, passes: Int) -> Int? {
        let (arithmetic, o1) = parameters.multipliedReportingOverflow(by: samples)
        let (overhead, o2) = layerOverhead.multipliedReportingOverflow(by: layers)
        let (perPass, o3) = arithmetic.addingReportingOverflow(overhead)
        let (total, o4) = perPass.multipliedReportingOverflow(by: passes)
        return o1 || o2 || o3 || o4 ? nil : total
    }

    /// The issues of a computation of this size: too many parameters (reported at `/network`),
    /// samples (at `samplesPointer`) or work (at `workPointer`: `/steps` for training, the
    /// samples otherwise).
    func issues(parameters: Int, samples: Int, layers: Int, passes: Int, samplesPointer: String, workPointer: String) -> [FieldIssue] {
        var found: [FieldIssue] = []
        if parameters > maxParameters {
            found.append(FieldIssue(.limitExceeded, "/network", "the network has \(parameters) parameters; the limit is \(maxParameters)"))
        }
        if samples > maxBatch {
            found.append(FieldIssue(.limitExceeded, samplesPointer, "the batch has \(samples) samples; the limit is \(maxBatch)"))
        }
        let work = work(parameters: parameters, samples: samples, layers: layers, passes: passes)
        if work.map({ $0 > maxWork }) ?? true {
            found.append(FieldIssue(.limitExceeded, workPointer,
                "work = passes × (parameters × samples + \(layerOverhead) × layers) = \(passes) × (\(parameters) × \(samples) + \(layerOverhead) × \(layers))"
                    + " = \(work.map(String.init) ?? "more than \(Int.max)") exceeds the work limit \(maxWork)"))
        }
        return found
    }
}
