// Every check a Problem makes when it is built: the error kind, the part of the problem by layer,
// unit and sample index, and the message a person reads to fix it. Also that several issues are
// reported together (up to a cap), and that valid problems pass. Names, limits and the wire form
// are the API edge's checks (BackpropAPITests, WireTests).

import Testing
@testable import Backprop

@Suite("Problem checks")
struct ProblemTests {
    /// The api-contract example: 2-2-2 sigmoid, biases on layer 0 (10 parameters).
    static func layers() -> [TestLayer] {
        [TestLayer(weights: [[0.1, 0.2], [0.3, 0.4]], biases: [0.25, 0.25]), TestLayer(weights: [[0.5, 0.6], [0.7, 0.8]])]
    }

    static let single: [[Double]] = [[0.5, 0.9]], singleTarget: [[Double]] = [[0, 1]]
    static let batch: [[Double]] = [[0.5, 0.9], [0.1, 0.2]], batchTargets: [[Double]] = [[0, 1], [1, 0]]

    static func error(_ layers: [TestLayer] = layers(), inputs: [[Double]] = single, targets: [[Double]]? = singleTarget,
                      loss: LossFunction = .halfSSE) -> BackpropError? {
        captureError { () throws(BackpropError) in try makeProblem(layers, inputs: inputs, targets: targets, loss: loss) }
    }

    @Test func validProblemsPass() throws {
        let one = try makeProblem(Self.layers(), inputs: Self.single, targets: Self.singleTarget)
        #expect(one.inputs.rows == 1 && one.loss == .halfSSE && one.reduction == .mean && one.network.parameterCount == 10)
        let many = try makeProblem(Self.layers(), inputs: Self.batch, targets: Self.batchTargets, reduction: .sum)
        #expect(many.inputs.rows == 2 && many.targets?.rows == 2 && many.reduction == .sum)
        #expect(try makeProblem(Self.layers(), inputs: Self.single).targets == nil)
    }

    // MARK: The network

    @Test func emptyLayers() {
        expectIssue(Self.error([]), .shapeMismatch, at: .layers, "a network needs at least one layer", count: 1)
    }

    @Test func emptyWeights() {
        var layers = Self.layers()
        layers[0] = TestLayer(weights: [])
        expectIssue(Self.error(layers), .shapeMismatch, at: .weights(layer: 0), "expected at least one row (one per unit), found none")
    }

    @Test func emptyWeightRow() {
        var layers = Self.layers()
        layers[0] = TestLayer(weights: [[], []])
        expectIssue(Self.error(layers), .shapeMismatch, at: .weightRow(layer: 0, unit: 0), "expected at least one weight, found none")
    }

    @Test func chainMismatchBetweenLayers() {
        var layers = Self.layers()
        layers[1].weights = [[0.5, 0.6, 0.1], [0.7, 0.8, 0.1]]
        expectIssue(Self.error(layers), .shapeMismatch, at: .weightRow(layer: 1, unit: 0),
                    "expected 2 weights (one per unit of layer 0), found 3", count: 1)
        layers[0].weights = [[0.1, 0.2]]
        layers[0].biases = nil
        expectIssue(Self.error(layers), .shapeMismatch, at: .weightRow(layer: 1, unit: 0),
                    "expected 1 weight (one per unit of layer 0), found 3", count: 1)
    }

    @Test func wrongBiasCount() {
        var layers = Self.layers()
        layers[0].biases = [0.25]
        expectIssue(Self.error(layers), .shapeMismatch, at: .biases(layer: 0), "expected 2 biases (one per unit), found 1", count: 1)
        layers[1].biases = [1, 2, 3]
        expectIssue(Self.error(layers), .shapeMismatch, at: .biases(layer: 1), "expected 2 biases (one per unit), found 3", index: 1, count: 2)
        let one = [TestLayer(weights: [[1, 2]], biases: [1, 2])]
        expectIssue(Self.error(one, targets: nil), .shapeMismatch, at: .biases(layer: 0), "expected 1 bias (one per unit), found 2", count: 1)
    }

    // MARK: Samples

    @Test func wrongInputWidth() {
        expectIssue(Self.error(inputs: [[0.5, 0.9, 0.1]]), .shapeMismatch, at: .input(sample: 0),
                    "expected 2 numbers (layer 0 has that many weights per unit), found 3", count: 1)
        // Every sample of a batch is named, so the message reads the same for each row a person fixes.
        let error = Self.error(inputs: [[0.5], [0.1]], targets: Self.batchTargets)
        expectIssue(error, .shapeMismatch, at: .input(sample: 0), "expected 2 numbers (layer 0 has that many weights per unit), found 1", count: 2)
        expectIssue(error, .shapeMismatch, at: .input(sample: 1), "expected 2 numbers (layer 0 has that many weights per unit), found 1", index: 1)
    }

    @Test func emptyBatch() {
        expectIssue(Self.error(inputs: [], targets: nil), .shapeMismatch, at: .inputs, "a batch needs at least one row", count: 1)
    }

    @Test func targetRowCountMismatch() {
        expectIssue(Self.error(inputs: Self.batch, targets: [[0, 1], [1, 0], [0.5, 0.5]]), .shapeMismatch, at: .targets,
                    "expected 2 rows, one per row of inputs, found 3", count: 1)
        expectIssue(Self.error(inputs: Self.single, targets: Self.batchTargets), .shapeMismatch, at: .targets,
                    "expected 1 row, one per row of inputs, found 2", count: 1)
    }

    @Test func wrongTargetWidth() {
        expectIssue(Self.error(targets: [[0]]), .shapeMismatch, at: .target(sample: 0),
                    "expected 2 numbers (the last layer has that many units), found 1", count: 1)
    }

    /// Gradients and training on a problem without targets refuse cleanly.
    @Test func gradientsWithoutTargetsThrow() throws {
        let p = try makeProblem(Self.layers(), inputs: Self.single)
        expectIssue(captureError { () throws(BackpropError) in try p.gradients() }, .shapeMismatch, at: .targets, "required", exact: false)
        expectIssue(captureError { () throws(BackpropError) in try p.train(TrainingOptions()) }, .shapeMismatch, at: .targets, "required", exact: false)
    }

    // MARK: Non-finite numbers (Swift callers can send them; JSON cannot)

    @Test func nonFiniteNumbersAreNamed() {
        var layers = Self.layers()
        layers[1].weights[1][0] = .nan
        expectIssue(Self.error(layers), .invalidValue, at: .weight(layer: 1, unit: 1, input: 0), "expected a finite number, found nan", count: 1)
        layers = Self.layers()
        layers[0].biases = [0.25, .infinity]
        expectIssue(Self.error(layers), .invalidValue, at: .bias(layer: 0, unit: 1), "expected a finite number, found inf", count: 1)
        expectIssue(Self.error(inputs: [[0.5, -.infinity]]), .invalidValue, at: .inputValue(sample: 0, input: 1), "expected a finite number, found -inf", count: 1)
        expectIssue(Self.error(inputs: [[0.5, 0.9], [.nan, 1]], targets: Self.batchTargets), .invalidValue, at: .inputValue(sample: 1, input: 0),
                    "expected a finite number, found nan", count: 1)
        expectIssue(Self.error(targets: [[.nan, 1]]), .invalidValue, at: .targetValue(sample: 0, output: 0), "expected a finite number, found nan", count: 1)
    }

    // MARK: Cross-entropy's domain

    @Test(arguments: [Activation.tanh, .relu, .leakyRelu, .linear])
    func crossEntropyNeedsSoftmaxOrSigmoidOutput(_ activation: Activation) {
        var layers = Self.layers()
        layers[1].activation = activation
        expectIssue(Self.error(layers, loss: .crossEntropy), .invalidValue, at: .loss,
                    "cross_entropy needs a softmax or sigmoid output layer; the last layer is \(activation.rawValue)", count: 1)
    }

    @Test func crossEntropyTargetsOutsideZeroOne() {
        let error = Self.error(targets: [[1.5, -0.25]], loss: .crossEntropy)
        expectIssue(error, .invalidValue, at: .targetValue(sample: 0, output: 0), "cross_entropy targets must lie in [0, 1], found 1.5", index: 0, count: 2)
        expectIssue(error, .invalidValue, at: .targetValue(sample: 0, output: 1), "cross_entropy targets must lie in [0, 1], found -0.25", index: 1, count: 2)
        expectIssue(Self.error(inputs: Self.batch, targets: [[0, 1], [2, 0]], loss: .crossEntropy), .invalidValue,
                    at: .targetValue(sample: 1, output: 0), "cross_entropy targets must lie in [0, 1], found 2.0", count: 1)
        // Sigmoid outputs are independent: targets need not sum to 1.
        #expect(Self.error(inputs: Self.batch, targets: [[1, 1], [0, 0]], loss: .crossEntropy) == nil)
    }

    @Test func softmaxCrossEntropyTargetsMustSumToOne() {
        var layers = Self.layers()
        layers[1].activation = .softmax
        expectIssue(Self.error(layers, targets: [[0.2, 0.3]], loss: .crossEntropy), .invalidValue, at: .target(sample: 0),
                    "cross_entropy after softmax needs targets that sum to 1 (a probability distribution), found a sum of 0.5", count: 1)
        expectIssue(Self.error(layers, inputs: Self.batch, targets: [[0.5, 0.5], [1, 1]], loss: .crossEntropy), .invalidValue,
                    at: .target(sample: 1), "found a sum of 2.0", exact: false, count: 1)
        // A row off by 1e-6 is not a distribution (δ = y − t would be off by as much); rounding is fine.
        expectIssue(Self.error(layers, inputs: Self.batch, targets: [[0.5, 0.500001], [1, 0]], loss: .crossEntropy), .invalidValue,
                    at: .target(sample: 0), "found a sum of 1.000001", exact: false, count: 1)
        #expect(Self.error(layers, inputs: Self.batch, targets: [[0.1 + 0.2, 0.7], [1, 0]], loss: .crossEntropy) == nil)
    }

    // MARK: Several issues

    @Test func issuesOfDifferentPartsAreReportedTogether() {
        var layers = Self.layers()
        layers[0].biases = [1]
        let error = Self.error(layers, inputs: [[1, 2, 3]], targets: [[0]])
        #expect(error?.issues.map(\.part) == [.biases(layer: 0), .input(sample: 0), .target(sample: 0)])
        #expect(error?.kind == .shapeMismatch)  // the first issue's kind
    }

    @Test func issuesAreCappedAtTwenty() {
        let rows = Array(repeating: [0.1, 0.2, 0.3], count: 30)
        let error = Self.error(inputs: rows, targets: Array(repeating: [0, 1], count: 30))
        #expect(error?.issues.count == 20)
        #expect(error?.issues.last?.part == .input(sample: 19))
    }
}
