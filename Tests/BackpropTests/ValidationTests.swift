// Every validation error and every limit: the error kind, the field path (as the API will turn it
// into a JSON Pointer) and the message a person reads to fix the request. Also that several issues
// are reported together, and that valid requests pass.

import Testing
@testable import Backprop

@Suite("Validation")
struct ValidationTests {
    /// The api-contract example: 2-2-2 sigmoid, biases on layer 0 (10 parameters).
    static func base(batch: Bool = false) -> ProblemSpec {
        ProblemSpec(
            network: NetworkSpec(layers: [
                LayerSpec(weights: [[0.1, 0.2], [0.3, 0.4]], biases: [0.25, 0.25], activation: "sigmoid"),
                LayerSpec(weights: [[0.5, 0.6], [0.7, 0.8]], activation: "sigmoid"),
            ]),
            inputs: batch ? .batch([[0.5, 0.9], [0.1, 0.2]]) : .single([0.5, 0.9]),
            targets: batch ? .batch([[0, 1], [1, 0]]) : .single([0, 1]))
    }

    static func error(_ spec: ProblemSpec, limits: Limits = .default, requireTargets: Bool = true,
                      options: StepOptions? = nil) -> BackpropError? {
        captureError { () throws(BackpropError) in
            try spec.validated(limits: limits, requireTargets: requireTargets, options: options)
        }
    }

    // MARK: Valid requests

    @Test func validRequestsPass() throws {
        let single = try Self.base().validated(requireTargets: true, options: StepOptions())
        #expect(!single.isBatch && single.inputs.rows == 1 && single.loss == .halfSSE && single.reduction == .mean)
        #expect(single.network.layers[0].activation == .sigmoid && single.network.parameterCount == 10)
        let batch = try Self.base(batch: true).validated(requireTargets: true)
        #expect(batch.isBatch && batch.inputs.rows == 2 && batch.targets?.rows == 2)
        var noTarget = Self.base()
        noTarget.targets = nil
        #expect(try noTarget.validated(requireTargets: false).targets == nil)
        // A missing activation means sigmoid.
        var defaulted = Self.base()
        defaulted.network.layers[1].activation = nil
        #expect(try defaulted.validated(requireTargets: true).network.layers[1].activation == .sigmoid)
    }

    @Test func fieldPathsPrintLikeTheRequest() {
        #expect(FieldPath.root.description == "(request)")
        #expect(FieldPath.root.key("network").key("layers").index(1).key("weights").index(0).description == "network.layers[1].weights[0]")
        #expect(FieldPath.root.key("inputs").index(2).index(0).description == "inputs[2][0]")
    }

    // MARK: The network

    @Test func emptyLayers() {
        var spec = Self.base()
        spec.network.layers = []
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers", "a network needs at least one layer", count: 1)
    }

    @Test func emptyWeights() {
        var spec = Self.base()
        spec.network.layers[0].weights = []
        spec.network.layers[0].biases = nil
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[0].weights",
                    "expected at least one row (one per unit), found none", count: 1)
    }

    @Test func emptyWeightRow() {
        var spec = Self.base()
        spec.network.layers[0].weights = [[], []]
        // The empty rows, and (since layer 0 now takes no inputs) the input's width.
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[0].weights[0]", "expected at least one weight, found none")
    }

    @Test func raggedRow() {
        var spec = Self.base()
        spec.network.layers[0].weights = [[0.1, 0.2], [0.3]]
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[0].weights[1]", "expected 2 weights like row 0, found 1", count: 1)
    }

    @Test func twoRaggedRowsAreTwoIssues() {
        let spec = ProblemSpec(
            network: NetworkSpec(layers: [
                LayerSpec(weights: [[1, 2], [3], [4, 5, 6]]),
                LayerSpec(weights: [[1, 1, 1]]),
            ]),
            inputs: .single([0.5, 0.5]), targets: .single([0.5]))
        let error = Self.error(spec)
        expectIssue(error, .shapeMismatch, at: "network.layers[0].weights[1]", "expected 2 weights like row 0, found 1", index: 0, count: 2)
        expectIssue(error, .shapeMismatch, at: "network.layers[0].weights[2]", "expected 2 weights like row 0, found 3", index: 1, count: 2)
    }

    @Test func chainMismatchBetweenLayers() {
        var spec = Self.base()
        spec.network.layers[1].weights = [[0.5, 0.6, 0.1], [0.7, 0.8, 0.1]]
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[1].weights[0]",
                    "expected 2 weights (one per unit of layer 0), found 3", count: 1)
    }

    @Test func wrongBiasCount() {
        var spec = Self.base()
        spec.network.layers[0].biases = [0.25]
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[0].biases", "expected 2 biases (one per unit), found 1", count: 1)
        spec.network.layers[1].biases = [1, 2, 3]
        expectIssue(Self.error(spec), .shapeMismatch, at: "network.layers[1].biases", "expected 2 biases (one per unit), found 3", index: 1, count: 2)
    }

    @Test func unknownActivation() {
        var spec = Self.base()
        spec.network.layers[1].activation = "gelu"
        expectIssue(Self.error(spec), .invalidValue, at: "network.layers[1].activation",
                    "unknown activation \"gelu\"; expected one of sigmoid, tanh, relu, leaky_relu, linear, softmax", count: 1)
    }

    @Test func unknownLoss() {
        var spec = Self.base()
        spec.loss = "hinge"
        expectIssue(Self.error(spec), .invalidValue, at: "loss", "unknown loss \"hinge\"; expected one of half_sse, mse, cross_entropy", count: 1)
    }

    @Test func unknownReduction() {
        var spec = Self.base()
        spec.reduction = "median"
        expectIssue(Self.error(spec), .invalidValue, at: "reduction", "unknown reduction \"median\"; expected one of mean, sum", count: 1)
    }

    // MARK: Samples

    @Test func wrongInputWidth() {
        var spec = Self.base()
        spec.inputs = .single([0.5, 0.9, 0.1])
        expectIssue(Self.error(spec), .shapeMismatch, at: "input",
                    "expected 2 numbers (layer 0 has that many weights per unit), found 3", count: 1)
        var batch = Self.base(batch: true)
        batch.inputs = .batch([[0.5, 0.9], [0.1]])
        expectIssue(Self.error(batch), .shapeMismatch, at: "inputs[1]",
                    "expected 2 numbers (layer 0 has that many weights per unit), found 1", count: 1)
    }

    @Test func emptyBatch() {
        var spec = Self.base(batch: true)
        spec.inputs = .batch([])
        spec.targets = nil
        expectIssue(Self.error(spec, requireTargets: false), .shapeMismatch, at: "inputs", "a batch needs at least one row", count: 1)
    }

    @Test func targetRowCountMismatch() {
        var spec = Self.base(batch: true)
        spec.targets = .batch([[0, 1], [1, 0], [0.5, 0.5]])
        expectIssue(Self.error(spec), .shapeMismatch, at: "targets", "expected 2 rows, one per row of inputs, found 3", count: 1)
    }

    @Test func wrongTargetWidth() {
        var spec = Self.base()
        spec.targets = .single([0])
        expectIssue(Self.error(spec), .shapeMismatch, at: "target",
                    "expected 2 numbers (the last layer has that many units), found 1", count: 1)
        var batch = Self.base(batch: true)
        batch.targets = .batch([[0, 1], [1, 0, 0]])
        expectIssue(Self.error(batch), .shapeMismatch, at: "targets[1]",
                    "expected 2 numbers (the last layer has that many units), found 3", count: 1)
    }

    @Test func singleTargetWithBatchInputsAndViceVersa() {
        var spec = Self.base(batch: true)
        spec.targets = .single([0, 1])
        expectIssue(Self.error(spec), .shapeMismatch, at: "target",
                    "a batch of inputs needs targets (one row per input row), not a single target", count: 1)
        var single = Self.base()
        single.targets = .batch([[0, 1]])
        expectIssue(Self.error(single), .shapeMismatch, at: "targets", "a single input needs a single target, not targets", count: 1)
    }

    @Test func missingTargetWhenRequired() {
        var spec = Self.base()
        spec.targets = nil
        expectIssue(Self.error(spec), .shapeMismatch, at: "target", "required: the target the outputs are compared with", count: 1)
        var batch = Self.base(batch: true)
        batch.targets = nil
        expectIssue(Self.error(batch), .shapeMismatch, at: "targets", "required: the targets the outputs are compared with", count: 1)
        #expect(Self.error(batch, requireTargets: false) == nil)
    }

    /// Gradients on a Problem built without targets (bypassing validation) still refuse cleanly.
    @Test func gradientsWithoutTargetsThrow() throws {
        var spec = Self.base()
        spec.targets = nil
        let problem = try spec.validated(requireTargets: false)
        expectIssue(captureError { () throws(BackpropError) in try problem.gradients() }, .shapeMismatch, at: "target", "required", exact: false)
    }

    // MARK: Step options

    @Test(arguments: [0, -3])
    func stepsBelowOne(_ steps: Int) {
        expectIssue(Self.error(Self.base(), options: StepOptions(steps: steps)), .invalidValue, at: "steps",
                    "expected at least 1 step, found \(steps)", count: 1)
    }

    @Test func stepsOverTheLimit() {
        expectIssue(Self.error(Self.base(), limits: Limits(maxSteps: 5), options: StepOptions(steps: 6)), .limitExceeded, at: "steps",
                    "6 steps exceed the limit of 5", count: 1)
        expectIssue(Self.error(Self.base(), options: StepOptions(steps: 100_001)), .limitExceeded, at: "steps",
                    "100001 steps exceed the limit of 100000", count: 1)
        #expect(Self.error(Self.base(), limits: Limits(maxSteps: 5), options: StepOptions(steps: 5)) == nil)
    }

    @Test(arguments: [(-0.5, "-0.5"), (Double.nan, "nan"), (Double.infinity, "inf"), (-Double.infinity, "-inf")])
    func badLearningRate(_ rate: Double, _ printed: String) {
        expectIssue(Self.error(Self.base(), options: StepOptions(learningRate: rate)), .invalidValue, at: "learningRate",
                    "expected a finite number ≥ 0, found \(printed)", count: 1)
    }

    @Test func zeroLearningRateIsAllowed() {
        #expect(Self.error(Self.base(), options: StepOptions(learningRate: 0)) == nil)
    }

    // MARK: Non-finite numbers in the request

    @Test func nonFiniteNumbersAreNamed() {
        var spec = Self.base()
        spec.network.layers[1].weights[1][0] = .nan
        expectIssue(Self.error(spec), .invalidValue, at: "network.layers[1].weights[1][0]", "expected a finite number, found nan", count: 1)

        spec = Self.base()
        spec.network.layers[0].biases = [0.25, .infinity]
        expectIssue(Self.error(spec), .invalidValue, at: "network.layers[0].biases[1]", "expected a finite number, found inf", count: 1)

        spec = Self.base()
        spec.inputs = .single([0.5, -.infinity])
        expectIssue(Self.error(spec), .invalidValue, at: "input[1]", "expected a finite number, found -inf", count: 1)

        spec = Self.base(batch: true)
        spec.inputs = .batch([[0.5, 0.9], [.nan, 1]])
        expectIssue(Self.error(spec), .invalidValue, at: "inputs[1][0]", "expected a finite number, found nan", count: 1)

        spec = Self.base()
        spec.targets = .single([.nan, 1])
        expectIssue(Self.error(spec), .invalidValue, at: "target[0]", "expected a finite number, found nan", count: 1)
    }

    // MARK: Cross-entropy's domain

    @Test(arguments: ["tanh", "relu", "leaky_relu", "linear"])
    func crossEntropyNeedsSoftmaxOrSigmoidOutput(_ activation: String) {
        var spec = Self.base()
        spec.loss = "cross_entropy"
        spec.network.layers[1].activation = activation
        expectIssue(Self.error(spec), .invalidValue, at: "loss",
                    "cross_entropy needs a softmax or sigmoid output layer; the last layer is \(activation)", count: 1)
    }

    @Test func crossEntropyTargetsOutsideZeroOne() {
        var spec = Self.base()
        spec.loss = "cross_entropy"
        spec.targets = .single([1.5, -0.25])
        let error = Self.error(spec)
        expectIssue(error, .invalidValue, at: "target[0]", "cross_entropy targets must lie in [0, 1], found 1.5", index: 0, count: 2)
        expectIssue(error, .invalidValue, at: "target[1]", "cross_entropy targets must lie in [0, 1], found -0.25", index: 1, count: 2)

        var batch = Self.base(batch: true)
        batch.loss = "cross_entropy"
        batch.targets = .batch([[0, 1], [2, 0]])
        expectIssue(Self.error(batch), .invalidValue, at: "targets[1][0]", "cross_entropy targets must lie in [0, 1], found 2.0", count: 1)
        // Sigmoid outputs are independent: targets need not sum to 1.
        batch.targets = .batch([[1, 1], [0, 0]])
        #expect(Self.error(batch) == nil)
    }

    @Test func softmaxCrossEntropyTargetsMustSumToOne() {
        var spec = Self.base()
        spec.loss = "cross_entropy"
        spec.network.layers[1].activation = "softmax"
        spec.targets = .single([0.2, 0.3])
        expectIssue(Self.error(spec), .invalidValue, at: "target",
                    "cross_entropy after softmax needs targets that sum to 1 (a probability distribution), found a sum of 0.5", count: 1)
        var batch = Self.base(batch: true)
        batch.loss = "cross_entropy"
        batch.network.layers[1].activation = "softmax"
        batch.targets = .batch([[0.5, 0.5], [1, 1]])
        expectIssue(Self.error(batch), .invalidValue, at: "targets[1]", "found a sum of 2.0", exact: false, count: 1)
        // A row off by 1e-6 is not a distribution (δ = y − t would be off by as much); rounding is fine.
        batch.targets = .batch([[0.5, 0.500001], [1, 0]])
        expectIssue(Self.error(batch), .invalidValue, at: "targets[0]", "found a sum of 1.000001", exact: false, count: 1)
        // Rounding in a probability row is not an error.
        batch.targets = .batch([[0.1 + 0.2, 0.7], [1, 0]])
        #expect(Self.error(batch) == nil)
    }

    // MARK: Limits

    @Test func maxParameters() {
        expectIssue(Self.error(Self.base(), limits: Limits(maxParameters: 9)), .limitExceeded, at: "network",
                    "the network has 10 parameters; the limit is 9", count: 1)
        #expect(Self.error(Self.base(), limits: Limits(maxParameters: 10)) == nil)
    }

    @Test func maxBatch() {
        expectIssue(Self.error(Self.base(batch: true), limits: Limits(maxBatch: 1)), .limitExceeded, at: "inputs",
                    "the batch has 2 samples; the limit is 1", count: 1)
        #expect(Self.error(Self.base(batch: true), limits: Limits(maxBatch: 2)) == nil)
    }

    @Test func maxWork() {
        // 1 pass × (10 parameters × 2 samples + 3 × 2 layers) = 26.
        expectIssue(Self.error(Self.base(batch: true), limits: Limits(maxWork: 25, layerOverhead: 3)), .limitExceeded, at: "inputs",
                    "work = passes × (parameters × samples + 3 × layers) = 1 × (10 × 2 + 3 × 2) = 26 exceeds the work limit 25", count: 1)
        #expect(Self.error(Self.base(batch: true), limits: Limits(maxWork: 26, layerOverhead: 3)) == nil)
        // With 3 steps: 3 + 1 passes (the last for the final loss), 4 × 26 = 104; reported at steps.
        expectIssue(Self.error(Self.base(batch: true), limits: Limits(maxWork: 103, layerOverhead: 3), options: StepOptions(steps: 3)), .limitExceeded,
                    at: "steps", "work = passes × (parameters × samples + 3 × layers) = 4 × (10 × 2 + 3 × 2) = 104 exceeds the work limit 103", count: 1)
        #expect(Self.error(Self.base(batch: true), limits: Limits(maxWork: 104, layerOverhead: 3), options: StepOptions(steps: 3)) == nil)
    }

    /// Deep stacks of small layers pay for their per-layer cost: the measured 2 s case is refused
    /// under the default limits, XOR for 100 000 steps is not.
    @Test func defaultLimitsChargePerLayer() {
        let narrow = (0..<3).map { _ in LayerSpec(weights: Array(repeating: Array(repeating: 0.01, count: 40), count: 40), activation: "tanh") }
        let deep = ProblemSpec(network: NetworkSpec(layers: narrow), inputs: .single(Array(repeating: 0.1, count: 40)),
                               targets: .single(Array(repeating: 0, count: 40)))
        #expect(throws: BackpropError.self) { try deep.validated(requireTargets: true, options: StepOptions(steps: 100_000)) }
        let xor = ProblemSpec(network: NetworkSpec(layers: [LayerSpec(weights: [[0.5, -0.4], [0.3, 0.8]], biases: [0.1, -0.1]),
                                                            LayerSpec(weights: [[0.7, -0.6]], biases: [0])]),
                              inputs: .batch([[0, 0], [0, 1], [1, 0], [1, 1]]), targets: .batch([[0], [1], [1], [0]]))
        #expect(throws: Never.self) { try xor.validated(requireTargets: true, options: StepOptions(steps: 100_000)) }
    }

    /// Limits are checked from counts before anything is scanned: a ragged oversized network gets the limit only.
    @Test func limitsComeBeforeShapeChecks() {
        var spec = Self.base()
        spec.network.layers[0].weights = [[0.1, 0.2], [0.3]]
        expectIssue(Self.error(spec, limits: Limits(maxParameters: 3)), .limitExceeded, at: "network", "the limit is 3", exact: false, count: 1)
    }

    // MARK: Several issues

    @Test func issuesOfDifferentFieldsAreReportedTogether() {
        var spec = Self.base()
        spec.network.layers[0].weights[1] = [0.3]
        spec.loss = "hinge"
        spec.inputs = .single([1, 2, 3])
        let error = Self.error(spec)
        #expect(error?.issues.map(\.path.description) == ["network.layers[0].weights[1]", "input", "loss"])
        #expect(error?.kind == .shapeMismatch)  // the first issue's kind
        #expect(error?.description.contains("network.layers[0].weights[1]: expected 2 weights like row 0, found 1") == true)
    }

    @Test func issuesAreCappedAtTwenty() {
        var spec = Self.base()
        spec.network.layers[0].weights = Array(repeating: [Double.nan, 0.1], count: 30)
        spec.network.layers[0].biases = nil
        spec.network.layers[1].weights = [Array(repeating: 0.1, count: 30), Array(repeating: 0.1, count: 30)]
        let error = Self.error(spec)
        #expect(error?.issues.count == 20)
        #expect(error?.issues.last?.path.description == "network.layers[0].weights[19][0]")
    }
}
