// Caps on the size of one request's computation, checked from its counts before the core runs,
// so that one request cannot take the machine. Defaults keep a request under about a second on 2
// cores. The work formula is the cost model of Network's passes; the caps are the operator's.

import Backprop

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

    /// The work of a training run, term by term:
    ///
    ///     steps × (P × B + overhead × L)              forward and backward on each step's batch
    ///     + 1 × (P × N + overhead × L)                 the final loss on the whole training set
    ///     + passes × (P × V + overhead × L)            validation: each recorded step and the end
    ///     + steps × c × P                              the optimizer's update, c per parameter
    ///     + steps × 6 × W                              regularization's penalty and gradient terms
    ///
    /// With a full batch (B = N) and nothing else this is passes × (P × N + overhead × L), passes
    /// = steps + 1, as without mini-batches. c is the update's cost in these units (measured:
    /// Benchmarks/CoreBenchmark --optimizers): 0 for plain descent, which the 6 flops of a
    /// parameter-sample already count, 7 with momentum, 23 for adagrad and rmsprop, 26 for adam
    /// and adamw.
    func training(parameters p: Int, weights w: Int, layers l: Int, batch b: Int, samples n: Int, steps: Int,
                  validationSamples v: Int, validationPasses: Int, update c: Int, regularized: Bool) -> Work {
        func pass(_ samples: Int) -> (Int, Bool) {
            let (a, o1) = p.multipliedReportingOverflow(by: samples)
            let (c, o2) = layerOverhead.multipliedReportingOverflow(by: l)
            let (s, o3) = a.addingReportingOverflow(c)
            return (s, o1 || o2 || o3)
        }
        // (count, per unit, written): the written form is a closure, built only for an error message.
        var terms: [(Int, Int, () -> String)] = []
        let overhead = layerOverhead
        terms.append((steps, pass(b).0, { "\(steps) × (\(p) × \(b) + \(overhead) × \(l))" }))
        terms.append((1, pass(n).0, { "1 × (\(p) × \(n) + \(overhead) × \(l))" }))
        if v > 0 { terms.append((validationPasses, pass(v).0, { "\(validationPasses) × (\(p) × \(v) + \(overhead) × \(l))" })) }
        if c > 0 { terms.append((steps, c * p, { "\(steps) × \(c) × \(p)" })) }
        if regularized { terms.append((steps, 6 * w, { "\(steps) × 6 × \(w)" })) }
        var total = 0, overflow = pass(b).1 || pass(n).1 || pass(v).1
        for (count, unit, _) in terms {
            let (t, o1) = count.multipliedReportingOverflow(by: unit)
            let (s, o2) = total.addingReportingOverflow(t)
            overflow = overflow || o1 || o2
            total = s
        }
        let plain = b == n && v == 0 && c == 0 && !regularized
        return Work(total: overflow ? nil : total) {
            plain ? "passes × (parameters × samples + \(overhead) × layers) = \(steps + 1) × (\(p) × \(n) + \(overhead) × \(l))"
                : "steps × (parameters × batch + \(overhead) × layers) + final loss" + (v > 0 ? " + validation" : "")
                    + (c > 0 ? " + updates" : "") + (regularized ? " + regularization" : "") + " = " + terms.map { $0.2() }.joined(separator: " + ")
        }
    }

    /// A computation's work in these units, and how it was counted (for the error message).
    struct Work {
        /// nil when it overflows Int.
        var total: Int?
        /// How it was counted, written only for an error message.
        var formula: () -> String

        func issues(_ limits: Limits, at pointer: String) -> [FieldIssue] {
            guard total.map({ $0 > limits.maxWork }) ?? true else { return [] }
            return [FieldIssue(.limitExceeded, pointer, "work = \(formula()) = \(total.map(String.init) ?? "more than \(Int.max)") exceeds the work limit \(limits.maxWork)")]
        }
    }

    /// The issues of a computation of this size: too many parameters (reported at `/network`),
    /// samples (at `samplesPointer`) or work (at `workPointer`: `/steps` for training, the
    /// samples otherwise).
    func issues(parameters: Int, samples: Int, layers: Int, passes: Int, samplesPointer: String, workPointer: String) -> [FieldIssue] {
        var found = sizeIssues(parameters: parameters, samples: samples, samplesPointer: samplesPointer)
        let work = work(parameters: parameters, samples: samples, layers: layers, passes: passes)
        if work.map({ $0 > maxWork }) ?? true {
            found.append(FieldIssue(.limitExceeded, workPointer,
                "work = passes × (parameters × samples + \(layerOverhead) × layers) = \(passes) × (\(parameters) × \(samples) + \(layerOverhead) × \(layers))"
                    + " = \(work.map(String.init) ?? "more than \(Int.max)") exceeds the work limit \(maxWork)"))
        }
        return found
    }

    /// Too many parameters (reported at `/network`) or samples (at `samplesPointer`).
    func sizeIssues(parameters: Int, samples: Int, samplesPointer: String) -> [FieldIssue] {
        var found: [FieldIssue] = []
        if parameters > maxParameters {
            found.append(FieldIssue(.limitExceeded, "/network", "the network has \(parameters) parameters; the limit is \(maxParameters)"))
        }
        if samples > maxBatch {
            found.append(FieldIssue(.limitExceeded, samplesPointer, "the batch has \(samples) samples; the limit is \(maxBatch)"))
        }
        return found
    }
}

extension OptimizerAlgorithm {
    /// The update's work per parameter in the limits' units (see `Limits.training`).
    var updateWork: Int {
        switch self {
        case .sgd(let momentum, _, _): momentum == 0 ? 0 : 7
        case .adagrad, .rmsprop: 23
        case .adam, .adamw: 26
        }
    }
}
