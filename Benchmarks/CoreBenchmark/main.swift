// Times one gradient-descent step of the core (forward, backward, update) on fixed shapes and
// reports GFLOP/s, side by side with the dgemm-only ceiling that Benchmarks/dgemm_ceiling.c
// measures for the same products. Not a test: it checks nothing, it only times.
//
//     swift run -c release CoreBenchmark [--ceiling NAME=GFLOPS/CPU_GFLOPS ...] [--seconds S] [--only SHAPE] [--machine]
//     swift run -c release CoreBenchmark --threshold [--seconds S]
//     swift run -c release CoreBenchmark --optimizers [--seconds S]
//
// Benchmarks/core-vs-dgemm.sh builds both programs and passes the C figures in with --ceiling.
// --threshold times the plain loops against dgemm product by product (the package-level kernels
// of Matrix.swift and BLASKernels.swift): the measurement behind `BLAS.minimumWork`.
// --optimizers times Optimizer.update alone for every algorithm on 784-128-10's parameters, beside
// the whole plain step of 784-128-10/B64 (issue 14: the optimizer may cost at most 10 % of it).
// 2-2-2 runs the plain loops, not dgemm, so its ratio only says how far a whole tiny step is from
// five bare 2×2 dgemm calls (the first layer sends no error back); the ratio that matters is the large shapes'.

import Backprop
#if canImport(Glibc)
import Glibc  // clock_gettime for this thread's CPU time
#endif

// MARK: - The shapes

/// A network shape `widths[0]-…-widths[L]` (sigmoid everywhere, with biases) and a batch size.
struct Shape {
    var name: String
    var widths: [Int]
    var batch: Int
    var single: Bool

    /// The products one step runs, 2·m·n·k flops each: per layer (I inputs, J units, N samples)
    /// the forward N×I·(J×I)ᵀ, the weight gradient δᵀ·z_prev and the error sent back δ·W.
    /// The first layer sends no error back (there is no layer below), so it has two products;
    /// the C ceiling runs the same set.
    var stepFlops: Double {
        var flops = 0.0
        for l in 1..<widths.count {
            flops += (l > 1 ? 3 : 2) * 2 * Double(batch) * Double(widths[l - 1]) * Double(widths[l])
        }
        return flops
    }

}

let shapes = [
    Shape(name: "2-2-2", widths: [2, 2, 2], batch: 1, single: true),
    Shape(name: "784-128-10/B64", widths: [784, 128, 10], batch: 64, single: false),
    Shape(name: "784-512-512-10/B128", widths: [784, 512, 512, 10], batch: 128, single: false),
]

// SplitMix64 is the core's documented generator: every run times the same numbers.
extension SplitMix64 {
    mutating func matrix(_ rows: Int, _ cols: Int, _ lo: Double, _ hi: Double) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in uniform(lo, hi) })
    }
}

/// The textbook problem for 2-2-2 (backprop.md), a random one otherwise: inputs in [0, 1),
/// weights in ±1/√I (so sigmoids stay away from saturation), one-hot targets, half_sse, mean.
func problem(_ shape: Shape) -> Problem {
    if shape.widths == [2, 2, 2] {
        let network = Network(layers: [
            DenseLayer(weights: Matrix(rectangular: [[0.15, 0.20], [0.25, 0.30]]), biases: [0.35, 0.35]),
            DenseLayer(weights: Matrix(rectangular: [[0.40, 0.45], [0.50, 0.55]]), biases: [0.60, 0.60]),
        ])
        return try! Problem(network: network, inputs: Matrix(rectangular: [[0.05, 0.10]]),
                       targets: Matrix(rectangular: [[0.01, 0.99]]))
    }
    var rng = SplitMix64(seed: 42)
    var layers: [DenseLayer] = []
    for l in 1..<shape.widths.count {
        let i = shape.widths[l - 1], j = shape.widths[l]
        var bound = 1.0
        while bound * bound * Double(i) > 1 { bound *= 0.5 }  // ≈ 1/√I without a sqrt import
        layers.append(DenseLayer(weights: rng.matrix(j, i, -bound, bound), biases: rng.matrix(1, j, -0.1, 0.1).storage))
    }
    let k = shape.widths.last!
    let inputs = rng.matrix(shape.batch, shape.widths[0], 0, 1)
    var targets = Matrix(zeros: shape.batch, k)
    for n in 0..<shape.batch { targets[n, Int(rng.next() % UInt64(k))] = 1 }
    return try! Problem(network: Network(layers: layers), inputs: inputs, targets: targets)
}

// MARK: - Timing

/// Keeps results alive so the optimizer cannot drop the work.
nonisolated(unsafe) var sink = 0.0

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}

/// This thread's CPU time in seconds: unlike the wall clock it does not count time spent
/// preempted, so it stays meaningful on a loaded machine. 0 where there is no such clock.
func threadCPUTime() -> Double {
    #if canImport(Glibc)
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    #else
    return 0
    #endif
}

/// Runs `body` repeatedly for about `budget` seconds (at least 3 times, after one warm-up run)
/// and returns the best time of one run in seconds, by the wall clock (ContinuousClock) and by
/// this thread's CPU time. The best, not the median: on a shared 2-core machine the median
/// mostly measures the neighbours; dgemm_ceiling.c reports its best the same two ways.
/// Runs shorter than 100 µs are timed in groups that take about that long, so that reading the
/// clocks (a system call for the CPU clock) does not count in a 2 µs step.
func stepTime(budget: Double, _ body: () throws -> Double) rethrows -> (wall: Double, cpu: Double) {
    let clock = ContinuousClock()
    let w0 = clock.now
    sink += try body()
    let group = max(1, Int(1e-4 / max((clock.now - w0).seconds, 1e-9)))
    var best = (wall: Double.infinity, cpu: Double.infinity)
    var runs = 0
    let start = clock.now
    while runs < 3 || ((clock.now - start).seconds < budget && runs < 100_000) {
        let t0 = clock.now, c0 = threadCPUTime()
        for _ in 0..<group { sink += try body() }
        let c1 = threadCPUTime()
        best.wall = min(best.wall, (clock.now - t0).seconds / Double(group))
        best.cpu = min(best.cpu, (c1 - c0) / Double(group))
        runs += 1
    }
    return best
}

/// One step as the training loop runs it: gradients, then the optimizer's w ← w − η ∂E/∂w on
/// every layer, in place on `network` (η = 0, so that repeated steps time the same numbers).
func step(_ p: Problem, _ network: inout Network, _ optimizer: inout Optimizer) throws -> Double {
    let g = try network.gradients(p.inputs, targets: p.targets!, loss: p.loss, reduction: p.reduction)
    optimizer.update(&network, weightGradients: g.layers.map(\.weightGradients), biasGradients: g.layers.map(\.biasGradients),
                     learningRate: 0, updateBiases: true)
    return g.loss + network.layers[0].weights.storage[0]
}

// MARK: - The allocator

/// glibc's mallopt (not exported by Swift's Glibc module).
@_silgen_name("mallopt") func mallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// Keeps up to 64 MiB of freed memory per malloc arena instead of giving it back to the kernel.
/// A step allocates most of its matrices anew, megabytes for a large layer; with glibc's default,
/// the heap is trimmed when they are freed and every page is faulted in and zeroed again by the
/// next step, which made a 784-128-10 step twice as slow as its dgemm calls (measured: 2.5–3.1 ms
/// against 1.3 ms). M_TRIM_THRESHOLD = 64 MiB, M_MMAP_THRESHOLD = 32 MiB (glibc's largest). The
/// server does not need this: it links mimalloc (Package.swift), which reuses freed memory as is.
func retainFreedMemory() {
    _ = mallopt(-1, 64 << 20)  // M_TRIM_THRESHOLD
    _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
}

// MARK: - Formatting without Foundation

func fixed(_ x: Double, _ decimals: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let whole = Int(r / scale)
    var frac = String(Int(r - Double(whole) * scale))
    while frac.count < decimals { frac = "0" + frac }
    return (x < 0 ? "-" : "") + String(whole) + (decimals > 0 ? "." + frac : "")
}

func pad(_ s: String, _ width: Int) -> String {
    s.count >= width ? s : String(repeating: " ", count: width - s.count) + s
}

// MARK: - Where dgemm starts to pay (--threshold)

/// The best time of one call in seconds, over about `budget` seconds of calls.
func bestTime(budget: Double, _ body: () -> Double) -> Double {
    let clock = ContinuousClock()
    sink += body()
    var best = Double.infinity
    var calls = 0
    let start = clock.now
    while calls < 20 || ((clock.now - start).seconds < budget && calls < 1_000_000) {
        let t0 = clock.now
        sink += body()
        best = min(best, (clock.now - t0).seconds)
        calls += 1
    }
    return best
}

/// Times the plain loops against dgemm for each of the three products on shapes around the
/// threshold: cubes m = n = k, and the skinny shapes a single-sample request makes.
func probeThresholds(budget: Double) {
    print("loops vs dgemm per product (best of many calls; work = m·n·k; threshold = \(BLAS.minimumWork))")
    print(pad("product", 10) + pad("m×n×k", 16) + pad("work", 9) + pad("loops µs", 11) + pad("dgemm µs", 11) + pad("loops/dgemm", 13))
    var rng = SplitMix64(seed: 7)
    var cases: [(Int, Int, Int)] = [4, 8, 12, 16, 20, 24, 28, 32, 40, 48, 64].map { ($0, $0, $0) }
    cases += [(1, 128, 784), (1, 10, 128), (1, 30, 784), (4, 30, 784), (16, 10, 128), (64, 10, 128), (128, 10, 512)]
    for (m, n, k) in cases {
        let work = m * n * k
        let shape = pad("\(m)×\(n)×\(k)", 16) + pad("\(work)", 9)
        func row(_ name: String, _ loops: () -> Matrix, _ blas: () -> Matrix) {
            let tl = bestTime(budget: budget) { loops().storage[0] }
            let tb = bestTime(budget: budget) { blas().storage[0] }
            print(pad(name, 10) + shape + pad(fixed(tl * 1e6, 2), 11) + pad(fixed(tb * 1e6, 2), 11) + pad(fixed(tl / tb, 2), 13))
        }
        // C (m×n) = A (m×k) · B (n×k)ᵀ + bias
        let a1 = rng.matrix(m, k, -1, 1), b1 = rng.matrix(n, k, -1, 1), bias = rng.matrix(1, n, -1, 1).storage
        row("A·Bᵀ+b", { Matrix.loopMultiply(a1, transposed: b1, addingRow: bias) },
            { Matrix.blasMultiply(a1, transposed: b1, addingRow: bias) })
        // C (m×n) = s · A (k×m)ᵀ · B (k×n)
        let a2 = rng.matrix(k, m, -1, 1), b2 = rng.matrix(k, n, -1, 1)
        row("s·Aᵀ·B", { Matrix.loopMultiply(transposed: a2, b2, scale: 0.5) },
            { Matrix.blasMultiply(transposed: a2, b2, scale: 0.5) })
        // C (m×n) = A (m×k) · B (k×n)
        let a3 = rng.matrix(m, k, -1, 1), b3 = rng.matrix(k, n, -1, 1)
        row("A·B", { Matrix.loopMultiply(a3, b3) }, { Matrix.blasMultiply(a3, b3) })
    }
}

// MARK: - Steps against the C ceiling

/// Times one step of every shape and prints it beside the C dgemm ceiling, when given.
func timeSteps(budget: Double, ceilings: [String: (wall: Double, cpu: Double)], only: String?) throws {
    print("step = gradients + update, best over about \(fixed(budget, 1)) s of steps; GFLOP/s = step flops / step time;")
    print("ratio = core GFLOP/s / C dgemm GFLOP/s by the wall clock; cpu ratio the same by thread CPU time;")
    print("train = Problem.train(TrainingOptions()): a step plus the final forward pass")
    print(pad("shape", 22) + pad("step ms", 11) + pad("GFLOP/s", 10) + pad("C dgemm", 10) + pad("ratio", 8)
          + pad("cpu ratio", 11) + pad("train ms", 11))
    for shape in shapes where only == nil || shape.name == only {
        let p = problem(shape)
        var network = p.network, optimizer = Optimizer()
        let t = try stepTime(budget: budget) { try step(p, &network, &optimizer) }
        let tt = try stepTime(budget: budget / 2) { try p.train(TrainingOptions()).finalLoss }
        let gflops = shape.stepFlops / t.wall / 1e9, cpuGflops = shape.stepFlops / t.cpu / 1e9
        var line = pad(shape.name, 22) + pad(fixed(t.wall * 1e3, 4), 11) + pad(fixed(gflops, 2), 10)
        if let c = ceilings[shape.name] {
            line += pad(fixed(c.wall, 2), 10) + pad(fixed(gflops / c.wall * 100, 1) + "%", 8)
            line += pad(fixed(cpuGflops / c.cpu * 100, 1) + "%", 11)
        } else {
            line += pad("-", 10) + pad("-", 8) + pad("-", 11)
        }
        print(line + pad(fixed(tt.wall * 1e3, 4), 11))
        // For scripts: shape, wall GFLOP/s, wall ms, CPU GFLOP/s, CPU ms.
        machineLines.append("\(shape.name) \(gflops) \(t.wall * 1e3) \(cpuGflops) \(t.cpu * 1e3)")
    }
}

/// The figures again, one line per shape, for core-vs-dgemm.sh (printed with --machine).
nonisolated(unsafe) var machineLines: [String] = []

// MARK: - Optimizer.update alone (--optimizers)

/// Times `Optimizer.update` over the 101 770 parameters of 784-128-10 (biases included) for each
/// algorithm, with fixed random gradients and a tiny learning rate (so that thousands of steps
/// leave the weights where they were), and prints each beside the whole plain step of
/// 784-128-10/B64: gradients plus w ← w − η·g, as `timeSteps` measures it.
func timeOptimizers(budget: Double) throws {
    let shape = shapes.first { $0.name == "784-128-10/B64" }!
    let p = problem(shape)
    var plainNetwork = p.network, plain = Optimizer()
    let whole = try stepTime(budget: budget) { try step(p, &plainNetwork, &plain) }
    var rng = SplitMix64(seed: 11)
    let dW = p.network.layers.map { rng.matrix($0.weights.rows, $0.weights.cols, -1, 1) }
    let dB: [[Double]?] = p.network.layers.map { layer in layer.biases.map { _ in rng.matrix(1, layer.units, -1, 1).storage } }
    let algorithms: [(String, OptimizerAlgorithm)] = [
        ("sgd", .sgd()), ("sgd momentum", .sgd(momentum: 0.9)), ("sgd nesterov", .sgd(momentum: 0.9, nesterov: true)),
        ("adagrad", .adagrad()), ("rmsprop", .rmsprop()), ("rmsprop centered+mom", .rmsprop(momentum: 0.9, centered: true)),
        ("adam", .adam()), ("adamw", .adamw()),
    ]
    print("Optimizer.update alone over 784-128-10's \(p.network.parameterCount) parameters, best over about \(fixed(budget, 1)) s;")
    print("whole plain step of 784-128-10/B64 (gradients + update): \(fixed(whole.wall * 1e3, 4)) ms (cpu \(fixed(whole.cpu * 1e3, 4)) ms)")
    print(pad("algorithm", 22) + pad("step µs", 10) + pad("cpu µs", 10) + pad("% of whole step", 17))
    for (name, algorithm) in algorithms {
        var network = p.network
        var optimizer = Optimizer(algorithm)
        optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 1e-9, updateBiases: true)  // buffers exist, arrays unique
        let t = stepTime(budget: budget / 2) {
            optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 1e-9, updateBiases: true)
            return network.layers[0].weights.storage[0]
        }
        print(pad(name, 22) + pad(fixed(t.wall * 1e6, 1), 10) + pad(fixed(t.cpu * 1e6, 1), 10)
              + pad(fixed(t.wall / whole.wall * 100, 1) + "%", 17))
    }
    // The other per-step additions of issue 14: the regularization term with its penalty, and
    // gathering a shuffled batch of 64 rows out of 1024 samples (inputs and targets).
    let regularization = Regularization(l2: 1e-4, l1: 1e-5)
    var gradients = dW
    let r = stepTime(budget: budget / 2) { regularization.addGradients(p.network, to: &gradients) }
    print(pad("l2+l1 term + penalty", 22) + pad(fixed(r.wall * 1e6, 1), 10) + pad(fixed(r.cpu * 1e6, 1), 10)
          + pad(fixed(r.wall / whole.wall * 100, 1) + "%", 17))
    let inputs = rng.matrix(1024, 784, 0, 1)
    var targets = Matrix(zeros: 1024, 10)
    for n in 0..<1024 { targets[n, Int(rng.next() % 10)] = 1 }
    var order = BatchOrder(samples: 1024, batchSize: 64, shuffle: true, seed: 1)
    var t = 0
    let gather = stepTime(budget: budget / 2) {
        let batch = order.batch(step: t)
        t += 1
        return inputs.rows(of: batch).storage[0] + targets.rows(of: batch).storage[0]
    }
    print(pad("batch of 64 gathered", 22) + pad(fixed(gather.wall * 1e6, 1), 10) + pad(fixed(gather.cpu * 1e6, 1), 10)
          + pad(fixed(gather.wall / whole.wall * 100, 1) + "%", 17))

    // Issue 14's check, until the training loop has it: 100 steps on batches of 64 out of 1024
    // (the contract's shuffled order), gradients then Optimizer.update, as Benchmarks/optimizer_numpy.py
    // runs them in numpy (same shapes, sigmoid/half_sse, mean).
    print("100 steps, batch 64 of 1024 samples, 784-128-10 (gradients + Optimizer.update; best of runs):")
    var perStep: [String: Double] = [:]
    for (name, algorithm, lr) in [("sgd", OptimizerAlgorithm.sgd(), 0.1), ("adam", .adam(), 1e-3)] {
        let run = try stepTime(budget: budget) {
            var network = p.network
            var optimizer = Optimizer(algorithm)
            var order = BatchOrder(samples: 1024, batchSize: 64, shuffle: true, seed: 0)
            var loss = 0.0
            for t in 0..<100 {
                let batch = order.batch(step: t)
                // Nothing but `network` may hold the weights being trained (a Problem made of
                // it, say): a second reference makes every Optimizer.update copy them first.
                let g = try network.gradients(inputs.rows(of: batch), targets: targets.rows(of: batch), loss: .halfSSE, reduction: .mean)
                loss = g.loss
                if optimizer.update(&network, gradients: g.layers, learningRate: lr, updateBiases: true) != nil { fatalError("diverged") }
            }
            return loss
        }
        perStep[name] = run.wall / 100
        print(pad(name, 22) + pad(fixed(run.wall / 100 * 1e3, 4), 10) + " ms/step" + pad("cpu " + fixed(run.cpu / 100 * 1e3, 4), 14) + " ms/step")
    }
    print("adam over sgd: " + fixed((perStep["adam"]! / perStep["sgd"]! - 1) * 100, 1) + " % per step")
}

// MARK: - Main

var ceilings: [String: (wall: Double, cpu: Double)] = [:]
var machine = false
var budget = 1.0
var probe = false
var optimizers = false
var only: String?
var args = CommandLine.arguments.dropFirst()
while let arg = args.popFirst() {
    switch arg {
    case "--ceiling":
        // NAME=WALL_GFLOPS/CPU_GFLOPS, as dgemm_ceiling.c prints them
        guard let spec = args.popFirst(), let eq = spec.firstIndex(of: "=") else { fatalError("--ceiling NAME=GFLOPS/GFLOPS") }
        let figures = spec[spec.index(after: eq)...].split(separator: "/").compactMap { Double($0) }
        guard figures.count == 2 else { fatalError("--ceiling NAME=GFLOPS/GFLOPS") }
        ceilings[String(spec[..<eq])] = (figures[0], figures[1])
    case "--seconds":
        guard let s = args.popFirst().flatMap(Double.init) else { fatalError("--seconds S") }
        budget = s
    case "--machine":
        machine = true
    case "--only":
        only = args.popFirst()
    case "--threshold":
        probe = true
    case "--optimizers":
        optimizers = true
    default:
        fatalError("unknown argument \(arg); see the comment at the top of main.swift")
    }
}

BLAS.configure(threads: 1)  // as the server does at startup
retainFreedMemory()
print("BLAS: \(BLAS.backendDescription)")
if probe {
    probeThresholds(budget: budget / 10)
} else if optimizers {
    try timeOptimizers(budget: budget)
} else {
    try timeSteps(budget: budget, ceilings: ceilings, only: only)
    if machine { for line in machineLines { print("#", line) } }
}
if sink == 0.12345 { print(sink) }
