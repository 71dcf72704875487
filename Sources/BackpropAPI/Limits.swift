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
    ///     work = passes × ((parameters + unitOverhead × units) × samples + layerOverhead × layers),
    ///     passes = steps + 1
    ///
    /// A parameter-sample is about 6 flops (2 forward, 4 backward); the last pass computes the
    /// final loss. One unit of work is about a nanosecond at most on this project's machine
    /// (scripts/worst_case.py times the worst admitted request of every route).
    public var maxWork: Int
    /// What one layer costs per pass beyond its arithmetic (allocations, activation and checks),
    /// in parameter-samples. Without it, deep stacks of small layers looked cheap: three 40×40
    /// layers for 100 000 steps counted 4.8·10⁸ and took 2 s (measured); with 4096 they count
    /// 1.7·10⁹ and are refused, while XOR for 100 000 steps (0.5 s) still fits.
    public var layerOverhead: Int
    /// What one unit costs per sample and pass beyond its parameters' arithmetic (its activation
    /// and derivative, the loss and ∂E/∂y of an output, the finiteness checks, and the a, z and δ
    /// it adds to memory), in parameter-samples. Without it, layers with few inputs per unit
    /// looked cheap: a 1-1000 sigmoid layer trained with cross_entropy on 1000 samples counted
    /// 2 per unit-sample and took 37 ns per unit-sample and step, so 497 steps, admitted at
    /// 10⁹, took 19–22 s; one /explain pass over a 1-13389-1 tanh network and 10 000 samples took
    /// 4.6–9.5 s (28 ns per unit-sample: its 4 GB of a, z and δ are touched once, page faults
    /// included). Measured on 2 cores (scripts/worst_case.py and steps of 1-W layers, W = 1 to
    /// 1000): the dearest pair, sigmoid with cross_entropy on fractional targets, costs 37–40 ns
    /// per unit-sample and step in a wide layer and 40–47 in a 1-1 network (the loss's work per
    /// sample falls on its one unit); tanh 12, softmax with cross_entropy 15–17, relu 3.4–5.5,
    /// linear 2.2–3.7. So 45 (with the 2 parameters of such a unit, 47) keeps the dearest at
    /// about a nanosecond a unit: 0.8–1.0 s for the worst admitted. In ordinary networks, with
    /// tens of inputs or more per unit, it adds a few percent: 784-128-10 counts
    /// 101 770 + 45 × 138 per sample (+6 %).
    public var unitOverhead: Int

    public init(maxParameters: Int = 2_000_000, maxBatch: Int = 10_000, maxSteps: Int = 100_000,
                maxWork: Int = 1_000_000_000, layerOverhead: Int = 4096, unitOverhead: Int = 45) {
        self.maxParameters = maxParameters
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        self.maxWork = maxWork
        self.layerOverhead = layerOverhead
        self.unitOverhead = unitOverhead
    }

    public static let `default` = Limits()

    /// `passes × ((parameters + unitOverhead × units) × samples + layerOverhead × layers)`, or
    /// nil when it overflows Int.
    public func work(parameters: Int, units: Int, samples: Int, layers: Int, passes: Int) -> Int? {
        let (perPass, o1) = pass(parameters: parameters, units: units, samples: samples, layers: layers)
        let (total, o2) = perPass.multipliedReportingOverflow(by: passes)
        return o1 || o2 ? nil : total
    }

    /// One pass: `(parameters + unitOverhead × units) × samples + layerOverhead × layers`, and
    /// whether it overflowed.
    func pass(parameters p: Int, units u: Int, samples: Int, layers l: Int) -> (Int, Bool) {
        let (unitWork, o1) = unitOverhead.multipliedReportingOverflow(by: u)
        let (perSample, o2) = p.addingReportingOverflow(unitWork)
        let (arithmetic, o3) = perSample.multipliedReportingOverflow(by: samples)
        let (overhead, o4) = layerOverhead.multipliedReportingOverflow(by: l)
        let (sum, o5) = arithmetic.addingReportingOverflow(overhead)
        return (sum, o1 || o2 || o3 || o4 || o5)
    }

    /// One pass as the error messages write it: `(p + 45 × u) × n + 4096 × l`.
    func passText(parameters p: Int, units u: Int, samples n: Int, layers l: Int) -> String {
        "(\(p) + \(unitOverhead) × \(u)) × \(n) + \(layerOverhead) × \(l)"
    }

    /// How a pass is counted, in words, over `samples` (samples, batch).
    func passWords(_ samples: String) -> String {
        "(parameters + \(unitOverhead) × units) × \(samples) + \(layerOverhead) × layers"
    }

    /// The work of a training run, term by term:
    ///
    ///     steps × pass(B)                  forward and backward on each step's batch
    ///     + 1 × pass(N)                     the final loss on the whole training set
    ///     + passes × pass(V)                validation: each recorded step and the end
    ///     + steps × c × P                   the optimizer's update, c per parameter
    ///     + steps × 6 × W                   regularization's penalty and gradient terms
    ///
    ///     pass(S) = (P + unitOverhead × U) × S + layerOverhead × L
    ///
    /// With a full batch (B = N) and nothing else this is passes × pass(N), passes = steps + 1,
    /// as without mini-batches. c is the update's cost in these units (measured:
    /// Benchmarks/CoreBenchmark --optimizers): 0 for plain descent, which the 6 flops of a
    /// parameter-sample already count, 7 with momentum, 23 for adagrad and rmsprop, 26 for adam
    /// and adamw.
    func training(parameters p: Int, weights w: Int, units u: Int, layers l: Int, batch b: Int, samples n: Int, steps: Int,
                  validationSamples v: Int, validationPasses: Int, update c: Int, regularized: Bool) -> Work {
        Work(limits: self, parameters: p, weights: w, units: u, layers: l, batch: b, samples: n, steps: steps,
             validationSamples: v, validationPasses: validationPasses, update: c, regularized: regularized)
    }

    /// A training run's work in these units (`training`), from its counts; how it was counted is
    /// written only for an error message.
    struct Work {
        let limits: Limits
        let parameters: Int, weights: Int, units: Int, layers: Int, batch: Int, samples: Int, steps: Int
        let validationSamples: Int, validationPasses: Int, update: Int, regularized: Bool

        private func pass(_ n: Int) -> (Int, Bool) {
            limits.pass(parameters: parameters, units: units, samples: n, layers: layers)
        }

        /// nil when it overflows Int.
        var total: Int? {
            var total = 0
            var overflow = pass(batch).1 || pass(samples).1 || pass(validationSamples).1
            func add(_ count: Int, _ unit: Int) {
                let (t, o1) = count.multipliedReportingOverflow(by: unit)
                let (s, o2) = total.addingReportingOverflow(t)
                overflow = overflow || o1 || o2
                total = s
            }
            add(steps, pass(batch).0)
            add(1, pass(samples).0)
            if validationSamples > 0 { add(validationPasses, pass(validationSamples).0) }
            if update > 0 { add(steps, mul(update, parameters)) }
            if regularized { add(steps, mul(6, weights)) }
            return overflow ? nil : total
        }

        var formula: String {
            let p = parameters, l = layers
            func text(_ n: Int) -> String { limits.passText(parameters: p, units: units, samples: n, layers: l) }
            if batch == samples && validationSamples == 0 && update == 0 && !regularized {
                return "passes × (\(limits.passWords("samples"))) = \(steps + 1) × (\(text(samples)))"
            }
            var written = ["\(steps) × (\(text(batch)))", "1 × (\(text(samples)))"]
            if validationSamples > 0 { written.append("\(validationPasses) × (\(text(validationSamples)))") }
            if update > 0 { written.append("\(steps) × \(update) × \(p)") }
            if regularized { written.append("\(steps) × 6 × \(weights)") }
            return "steps × (\(limits.passWords("batch"))) + final loss" + (validationSamples > 0 ? " + validation" : "")
                + (update > 0 ? " + updates" : "") + (regularized ? " + regularization" : "") + " = " + written.joined(separator: " + ")
        }

        func issues(_ limits: Limits, at pointer: String) -> [FieldIssue] {
            let total = total
            guard total.map({ $0 > limits.maxWork }) ?? true else { return [] }
            return [FieldIssue(.limitExceeded, pointer, "work = \(formula) = \(total.map(String.init) ?? "more than \(Int.max)") exceeds the work limit \(limits.maxWork)")]
        }
    }

    /// The issues of a computation of this size: too many parameters (reported at `/network`),
    /// samples (at `samplesPointer`) or work (at `workPointer`: `/steps` for training, the
    /// samples otherwise).
    func issues(parameters: Int, units: Int, samples: Int, layers: Int, passes: Int, samplesPointer: String, workPointer: String) -> [FieldIssue] {
        var found = sizeIssues(parameters: parameters, samples: samples, samplesPointer: samplesPointer)
        let work = work(parameters: parameters, units: units, samples: samples, layers: layers, passes: passes)
        if work.map({ $0 > maxWork }) ?? true {
            found.append(FieldIssue(.limitExceeded, workPointer,
                "work = passes × (\(passWords("samples"))) = \(passes) × (\(passText(parameters: parameters, units: units, samples: samples, layers: layers)))"
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
