// Shared helpers for the core's tests: a seeded PRNG (SplitMix64) so every random case is
// reproducible on every machine, the tolerance comparison, random problem builders and error capture.
// Deliberately not a second implementation of backpropagation: the references live in each test file.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Backprop

// MARK: - Reproducible randomness

// SplitMix64 (Steele, Lea & Flood 2014) comes from the core (Initialization.swift): a tiny, fully
// specified generator, so a failing case can be replayed from its seed. Never SystemRandomNumberGenerator.
extension SplitMix64 {
    /// Uniform integer in the closed range (the modulo bias is irrelevant for test sizes).
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    mutating func pick<T>(_ choices: [T]) -> T { choices[int(0...(choices.count - 1))] }

    mutating func bool() -> Bool { next() & 1 == 1 }

    mutating func vector(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] {
        (0..<n).map { _ in uniform(lo, hi) }
    }

    mutating func rows(_ rows: Int, _ cols: Int, _ lo: Double, _ hi: Double) -> [[Double]] {
        (0..<rows).map { _ in vector(cols, lo, hi) }
    }
}

// MARK: - Tolerances

/// True when `|a − b| ≤ rel · max(|a|, |b|) + abs`.
///
/// The relative term is the tolerance each test states; the absolute floor is there because a
/// relative error means nothing for a value that is (nearly) zero through cancellation: its absolute
/// error is a few ulps of the terms that cancelled, not of the result. Each caller picks the floor
/// from the size of those terms. NaN is never close to anything.
func isClose(_ a: Double, _ b: Double, rel: Double, abs absFloor: Double = 1e-300) -> Bool {
    guard a.isFinite, b.isFinite else { return a == b }
    return Swift.abs(a - b) <= rel * Swift.max(Swift.abs(a), Swift.abs(b)) + absFloor
}

/// Elementwise `isClose` of two equally long arrays.
func allClose(_ a: [Double], _ b: [Double], rel: Double, abs absFloor: Double = 1e-300) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { isClose($0, $1, rel: rel, abs: absFloor) }
}

// MARK: - Reference math (libm, independent of the core's RealModule calls)

func sigmoidRef(_ a: Double) -> Double { 1 / (1 + exp(-a)) }
func tanhRef(_ a: Double) -> Double { tanh(a) }
func expRef(_ a: Double) -> Double { exp(a) }
func lnRef(_ a: Double) -> Double { log(a) }

// MARK: - Errors

/// The error `body` throws, or nil when it returns.
func captureError<T>(_ body: () throws(BackpropError) -> T) -> BackpropError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// Asserts an error of `kind` whose issue `index` is about `part` and has a message that equals
/// `message` (or contains it, when `exact` is false).
func expectIssue(_ error: BackpropError?, _ kind: BackpropError.Kind, at part: ProblemPart, _ message: String,
                 exact: Bool = true, index: Int = 0, count: Int? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected a \(kind) error at \(part), but nothing was thrown", sourceLocation: sourceLocation)
        return
    }
    #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
    if let count {
        #expect(error.issues.count == count, "\(error)", sourceLocation: sourceLocation)
    }
    guard index < error.issues.count else {
        Issue.record("only \(error.issues.count) issues: \(error)", sourceLocation: sourceLocation)
        return
    }
    let issue = error.issues[index]
    #expect(issue.part == part, "\(error)", sourceLocation: sourceLocation)
    if exact {
        #expect(issue.message == message, sourceLocation: sourceLocation)
    } else {
        #expect(issue.message.contains(message), "\(issue.message)", sourceLocation: sourceLocation)
    }
}

// MARK: - Random problems

/// The shape of a random test problem.
struct RandomProblemOptions {
    var outputActivation: Activation
    /// nil: each hidden layer draws one of all six.
    var hiddenActivation: Activation? = nil
    var loss: LossFunction = .halfSSE
    var reduction: Reduction = .mean
    var batch: Bool = true
    var biases: Bool = true
    var depth: ClosedRange<Int> = 1...4
    var width: ClosedRange<Int> = 1...5
    var samples: ClosedRange<Int> = 1...5
    var weightRange: Double = 1
    var inputRange: Double = 1.5
}

/// Targets valid for the loss: probability rows for softmax + cross_entropy, [0, 1] for sigmoid +
/// cross_entropy, anything for the squared errors.
func randomTargets(_ rng: inout SplitMix64, rows: Int, width: Int, loss: LossFunction, output: Activation) -> [[Double]] {
    (0..<rows).map { _ in
        switch (loss, output) {
        case (.crossEntropy, .softmax):
            if rng.int(0...3) == 0 {  // sometimes one-hot, the common case
                var t = Array(repeating: 0.0, count: width)
                t[rng.int(0...(width - 1))] = 1
                return t
            }
            let p = rng.vector(width, 0.05, 1)
            let s = p.reduce(0, +)
            return p.map { $0 / s }
        case (.crossEntropy, _):
            return rng.vector(width, 0, 1)
        default:
            return rng.vector(width, -1, 1)
        }
    }
}

/// A random problem: depth and widths from the options, hidden activations drawn from all six
/// (softmax included), the given output activation. One sample unless `batch`.
func randomProblem(_ rng: inout SplitMix64, _ o: RandomProblemOptions) throws -> Problem {
    let depth = rng.int(o.depth)
    let inputWidth = rng.int(o.width)
    var below = inputWidth
    var layers: [DenseLayer] = []
    for l in 0..<depth {
        let units = rng.int(o.width)
        let activation = l == depth - 1 ? o.outputActivation : (o.hiddenActivation ?? rng.pick(Activation.allCases))
        layers.append(DenseLayer(weights: Matrix(rectangular: rng.rows(units, below, -o.weightRange, o.weightRange)),
                                 biases: o.biases ? rng.vector(units, -0.5, 0.5) : nil,
                                 activation: activation))
        below = units
    }
    let n = o.batch ? rng.int(o.samples) : 1
    let x = rng.rows(n, inputWidth, -o.inputRange, o.inputRange)
    let t = randomTargets(&rng, rows: n, width: below, loss: o.loss, output: o.outputActivation)
    return try Problem(network: Network(layers: layers), inputs: Matrix(rectangular: x), targets: Matrix(rectangular: t),
                       loss: o.loss, reduction: o.reduction)
}

/// A layer as a test writes it down: nested arrays.
struct TestLayer {
    var weights: [[Double]]
    var biases: [Double]? = nil
    var activation: Activation = .sigmoid

    /// Rows must be equally long (as the API edge checks); an empty list is a 0×0 matrix.
    var layer: DenseLayer {
        DenseLayer(weights: Matrix(rows: weights.count, cols: weights.first?.count ?? 0, storage: weights.flatMap { $0 }),
                   biases: biases, activation: activation)
    }
}

/// A problem from nested arrays, as a test writes it down (one row per sample).
func makeProblem(_ layers: [TestLayer], inputs: [[Double]], targets: [[Double]]? = nil,
             loss: LossFunction = .halfSSE, reduction: Reduction = .mean) throws(BackpropError) -> Problem {
    try Problem(network: Network(layers: layers.map(\.layer)), inputs: Matrix(rows: inputs.count, cols: inputs.first?.count ?? 0, storage: inputs.flatMap { $0 }),
                targets: targets.map { Matrix(rows: $0.count, cols: $0.first?.count ?? 0, storage: $0.flatMap { $0 }) }, loss: loss, reduction: reduction)
}

/// True when some relu / leaky_relu unit has a weighted sum within `margin` of its kink at 0, where
/// a finite difference straddling the kink would measure neither one-sided slope.
func nearKink(_ problem: Problem, margin: Double = 1e-3) throws -> Bool {
    let passes = try problem.network.forward(problem.inputs)
    for (layer, pass) in zip(problem.network.layers, passes)
    where layer.activation == .relu || layer.activation == .leakyRelu {
        if pass.weightedSums.storage.contains(where: { Swift.abs($0) < margin }) { return true }
    }
    return false
}

@Suite("Test support")
struct TestSupportTests {
    @Test func isCloseUsesRelativeToleranceAndAbsoluteFloor() {
        #expect(isClose(1, 1 + 1e-13, rel: 1e-12))
        #expect(!isClose(1, 1 + 1e-11, rel: 1e-12))
        #expect(!isClose(0, 1e-20, rel: 1e-12))
        #expect(isClose(0, 1e-20, rel: 1e-12, abs: 1e-15))
        #expect(!isClose(.nan, .nan, rel: 1))
    }
}
