// Problem.explain and its rendering: the textbook's 2-2-2 formulas written out by hand, agreement
// with gradients() on random deeper networks, the fused-δ cases, batches, biases, and well-formed
// LaTeX and text. Not a test of the backward pass itself (the gradient tests do that); only of how
// it is explained. Index and learning-rate errors are the API edge's (BackpropAPITests).

import Backprop
import ExplanationText
import Testing

/// Draws for random explain problems (SplitMix64 itself, `int` and `bool` come from TestSupport.swift).
fileprivate extension SplitMix64 {
    mutating func matrix(_ rows: Int, _ cols: Int, _ lo: Double = -1, _ hi: Double = 1) -> Matrix {
        Matrix(rows: rows, cols: cols, storage: (0..<(rows * cols)).map { _ in uniform(lo, hi) })
    }
}

fileprivate func productOf(_ factors: [WrittenFactor]) -> Double {
    factors.reduce(1) { $0 * $1.value }
}

/// True when every (, [ and { closes in order.
fileprivate func explainBalanced(_ s: String) -> Bool {
    var stack: [Character] = []
    let pairs: [Character: Character] = [")": "(", "]": "[", "}": "{"]
    for c in s {
        if c == "(" || c == "[" || c == "{" { stack.append(c) }
        if let open = pairs[c] {
            guard stack.last == open else { return false }
            stack.removeLast()
        }
    }
    return stack.isEmpty
}

/// Well-formed display LaTeX: balanced, no NaN or infinity, no `1e-07` style exponents.
fileprivate func explainWellFormedLatex(_ s: String) -> Bool {
    let lower = s.lowercased()
    let chars = Array(s)
    let exponent = chars.indices.contains { k in
        k > 0 && (chars[k] == "e" || chars[k] == "E") && chars[k - 1].isNumber
    }
    return explainBalanced(s) && !lower.contains("nan") && !lower.contains("inf") && !exponent
}

@Suite("Explanation")
struct ExplanationTests {
    static let contractProblem = try! Problem(
        network: Network(layers: [
            DenseLayer(weights: Matrix(rectangular: [[0.1, 0.2], [0.3, 0.4]]), biases: [0.25, 0.25], activation: .sigmoid),
            DenseLayer(weights: Matrix(rectangular: [[0.5, 0.6], [0.7, 0.8]]), activation: .sigmoid),
        ]),
        inputs: Matrix(rectangular: [[0.5, 0.9]]), targets: Matrix(rectangular: [[0.0, 1.0]]))

    // MARK: - The textbook's 2-2-2 network

    /// backprop.md, by hand: δy_k = (y_k − t_k)·y_k(1 − y_k);
    /// ∂E/∂w_ji (hidden) = (δy1·w_{3j} + δy2·w_{4j}) · z_j(1 − z_j) · x_i;
    /// ∂E/∂w_ji (output) = (y_j − t_j) · y_j(1 − y_j) · z_i.
    @Test func textbookFormulasOnRandomNetworks() throws {
        var random = SplitMix64(seed: 2222)
        for _ in 0..<25 {
            let hidden = random.matrix(2, 2), output = random.matrix(2, 2)
            let x = [random.uniform(-1, 1), random.uniform(-1, 1)], t = [random.uniform(0, 1), random.uniform(0, 1)]
            let problem = try Problem(network: Network(layers: [DenseLayer(weights: hidden), DenseLayer(weights: output)]),
                                  inputs: Matrix(rectangular: [x]), targets: Matrix(rectangular: [t]))
            let forward = try problem.forward()
            let z = forward.layers[0].outputs.storage, y = forward.output.storage
            let deltaY = [(y[0] - t[0]) * (y[0] * (1 - y[0])), (y[1] - t[1]) * (y[1] * (1 - y[1]))]

            for j in 0..<2 {
                for i in 0..<2 {
                    // Hidden weight w_ji of layer 1 (w11 when j = i = 0).
                    let dEdz = deltaY[0] * output[0, j] + deltaY[1] * output[1, j]
                    let hand = [dEdz, z[j] * (1 - z[j]), x[i]]
                    let e = try problem.explained(WeightIndex(layer: 0, unit: j, input: i))
                    #expect(e.factors.count == 3)
                    for (f, h) in zip(e.factors, hand) { #expect(isClose(f.value, h, rel: 1e-12)) }
                    #expect(isClose(e.gradient, hand[0] * hand[1] * hand[2], rel: 1e-12))
                    #expect(isClose(e.deltaValue, dEdz * (z[j] * (1 - z[j])), rel: 1e-12))
                    #expect(e.note == nil)

                    // Output weight w_ji of layer 2 (w31 when j = i = 0).
                    let handOut = [y[j] - t[j], y[j] * (1 - y[j]), z[i]]
                    let o = try problem.explained(WeightIndex(layer: 1, unit: j, input: i))
                    #expect(o.factors.count == 3)
                    for (f, h) in zip(o.factors, handOut) { #expect(isClose(f.value, h, rel: 1e-12)) }
                    #expect(isClose(o.gradient, handOut[0] * handOut[1] * handOut[2], rel: 1e-12))
                    #expect(isClose(o.deltaValue, deltaY[j], rel: 1e-12))
                }
            }
        }
    }

    @Test func textbookNotationForW11() throws {
        let e = try Self.contractProblem.explained(WeightIndex(layer: 0, unit: 0, input: 0))
        #expect(e.weightSymbol == "w^{(1)}_{11}")
        #expect(e.weightValue == 0.1)
        #expect(e.factors.map(\.symbol) == ["∂E/∂z^{(1)}_{1}", "∂z^{(1)}_{1}/∂a^{(1)}_{1}", "∂a^{(1)}_{1}/∂w^{(1)}_{11}"])
        #expect(e.factors.map(\.expression) == ["δ^{(2)}_{1} w^{(2)}_{11} + δ^{(2)}_{2} w^{(2)}_{21}", "z^{(1)}_{1}(1 − z^{(1)}_{1})", "x_{1}"])
        #expect(e.factors[0].latex == "\\frac{\\partial E}{\\partial z^{(1)}_{1}} = \\delta^{(2)}_{1} w^{(2)}_{11} + \\delta^{(2)}_{2} w^{(2)}_{21}")
        #expect(e.deltaSymbol == "δ^{(1)}_{1}")
        #expect(e.latex.hasPrefix("\\frac{\\partial E}{\\partial w^{(1)}_{11}} = "))
        #expect(e.latex.hasSuffix(" = \(e.gradient)"))
        #expect(e.text.hasPrefix("∂E/∂w^(1)_11 = ∂E/∂z^(1)_1 · ∂z^(1)_1/∂a^(1)_1 · ∂a^(1)_1/∂w^(1)_11\n"))
        #expect(e.text.contains("= (δ^(2)_1·w^(2)_11 + δ^(2)_2·w^(2)_21) · z^(1)_1(1 − z^(1)_1) · x_1\n"))
    }

    @Test func textbookNotationForW31() throws {
        let e = try Self.contractProblem.explained(WeightIndex(layer: 1, unit: 0, input: 0))
        #expect(e.weightSymbol == "w^{(2)}_{11}")
        #expect(e.factors.map(\.symbol) == ["∂E/∂y_{1}", "∂y_{1}/∂a^{(2)}_{1}", "∂a^{(2)}_{1}/∂w^{(2)}_{11}"])
        #expect(e.factors.map(\.expression) == ["y_{1} − t_{1}", "y_{1}(1 − y_{1})", "z^{(1)}_{1}"])
        #expect(e.deltaSymbol == "δ^{(2)}_{1}")
        // The contract example's numbers: y1 = 0.6720972942665231, t1 = 0, z1 = 0.617747874769249.
        #expect(e.factors[0].value == 0.6720972942665231)
        #expect(e.factors[2].value == 0.617747874769249)
        #expect(e.latex.contains("(0.6720972942665231 - 0.0) \\cdot 0.6720972942665231(1 - 0.6720972942665231) \\cdot 0.617747874769249"))
    }

    // MARK: - Random deeper networks

    /// Depth 1–4, widths 1–6, random biases, activations and losses, one sample: the gradient is
    /// gradients()'s entry and the factors multiply to it, for every weight.
    @Test func randomNetworksAgreeWithGradients() throws {
        var random = SplitMix64(seed: 77)
        var weightsChecked = 0
        for _ in 0..<40 {
            let problem = Self.randomProblem(&random, samples: 1)
            let g = try problem.gradients()
            let rate = random.uniform(0, 2)
            for (l, layer) in problem.network.layers.enumerated() {
                for j in 0..<layer.units {
                    for i in 0..<layer.inputs {
                        let e = try problem.explained(WeightIndex(layer: l, unit: j, input: i), learningRate: rate)
                        #expect(isClose(e.gradient, g.layers[l].weightGradients[j, i], rel: 1e-12))
                        #expect(isClose(productOf(e.factors), e.gradient, rel: 1e-9))
                        #expect(e.deltaValue == g.layers[l].deltas[0, j])
                        #expect(e.weightValue == layer.weights[j, i])
                        #expect(e.updated == layer.weights[j, i] - rate * e.gradient)
                        let input = l == 0 ? problem.inputs[0, i] : g.layers[l - 1].outputs[0, i]
                        #expect(e.factors.last?.value == input)
                        #expect(e.factors.count == (e.note == nil ? 3 : 2))
                        #expect(explainWellFormedLatex(e.latex))
                        #expect(e.latex.hasPrefix("\\frac{\\partial E}"))
                        #expect(e.factors.allSatisfy { explainWellFormedLatex($0.latex) && explainBalanced($0.expression) })
                        #expect(explainBalanced(e.text) && !e.text.lowercased().contains("nan"))
                        weightsChecked += 1
                    }
                }
            }
        }
        #expect(weightsChecked > 300)
    }

    /// A random problem whose loss suits its output layer (cross-entropy only after sigmoid or softmax).
    fileprivate static func randomProblem(_ random: inout SplitMix64, samples: Int) -> Problem {
        let depth = random.int(1...4)
        var widths = [random.int(1...5)]
        for _ in 0..<depth { widths.append(random.int(1...6)) }
        let layers = (0..<depth).map { l in
            DenseLayer(weights: random.matrix(widths[l + 1], widths[l]),
                       biases: random.bool() ? (0..<widths[l + 1]).map { _ in random.uniform(-0.5, 0.5) } : nil,
                       activation: Activation.allCases[random.int(0...5)])
        }
        let output = layers.last!.activation
        let k = widths.last!
        let loss: LossFunction = (output == .softmax || output == .sigmoid) && random.bool() ? .crossEntropy : (random.bool() ? .halfSSE : .mse)
        var targets = random.matrix(samples, k, 0, 1)
        if loss == .crossEntropy && output == .softmax {
            for n in 0..<samples {
                var row = (0..<k).map { targets[n, $0] }
                let sum = row.reduce(0, +)
                row = row.map { $0 / sum }
                for c in 0..<k { targets[n, c] = row[c] }
            }
        }
        return try! Problem(network: Network(layers: layers), inputs: random.matrix(samples, widths[0], -2, 2), targets: targets,
                       loss: loss, reduction: random.bool() ? .mean : .sum)
    }

    // MARK: - Fused factors

    @Test func crossEntropyAfterSoftmaxUsesOneDeltaFactor() throws {
        var problem = Self.contractProblem
        problem.network.layers[1].activation = .softmax
        problem.loss = .crossEntropy
        let e = try problem.explained(WeightIndex(layer: 1, unit: 1, input: 0))
        let g = try problem.gradients()
        #expect(e.factors.count == 2)
        #expect(e.factors[0].symbol == "δ^{(2)}_{2}")
        #expect(e.factors[0].expression == "y_{2} − t_{2}")
        #expect(e.factors[0].value == g.output[0, 1] - 1.0)
        #expect(e.factors[1].symbol == "∂a^{(2)}_{2}/∂w^{(2)}_{21}")
        #expect(e.note?.contains("cross-entropy after softmax") == true)
        #expect(e.note?.contains("δ = y − t") == true)
        #expect(productOf(e.factors) == e.gradient)
    }

    @Test func crossEntropyAfterSigmoidUsesOneDeltaFactor() throws {
        var problem = Self.contractProblem
        problem.loss = .crossEntropy
        let e = try problem.explained(WeightIndex(layer: 1, unit: 0, input: 1))
        #expect(e.factors.count == 2)
        #expect(e.factors[0].symbol == "δ^{(2)}_{1}")
        #expect(e.note?.contains("cross-entropy after sigmoid") == true)
        #expect(productOf(e.factors) == e.gradient)
        // The hidden layer below still separates: three factors, no note.
        let hidden = try problem.explained(WeightIndex(layer: 0, unit: 0, input: 0))
        #expect(hidden.factors.count == 3 && hidden.note == nil)
    }

    @Test func softmaxOutputWithSquaredErrorUsesTheJacobian() throws {
        var problem = Self.contractProblem
        problem.network.layers[1].activation = .softmax
        let e = try problem.explained(WeightIndex(layer: 1, unit: 0, input: 0))
        let g = try problem.gradients()
        #expect(e.factors.count == 2)
        #expect(e.factors[0].value == g.layers[1].deltas[0, 0])
        #expect(e.factors[0].expression == "y_{1}(∂E/∂y_{1} − Σ_k ∂E/∂y_{k} y_{k})")
        #expect(e.note?.contains("softmax couples every output") == true)
        #expect(productOf(e.factors) == e.gradient)
    }

    @Test func softmaxHiddenLayerUsesOneDeltaFactor() throws {
        var problem = Self.contractProblem
        problem.network.layers[0].activation = .softmax
        let e = try problem.explained(WeightIndex(layer: 0, unit: 1, input: 1))
        #expect(e.factors.count == 2)
        #expect(e.factors[0].symbol == "δ^{(1)}_{2}")
        #expect(e.factors[0].expression == "z^{(1)}_{2}(∂E/∂z^{(1)}_{2} − Σ_k ∂E/∂z^{(1)}_{k} z^{(1)}_{k})")
        #expect(e.note?.contains("softmax couples every unit of layer 0") == true)
        #expect(isClose(productOf(e.factors), e.gradient, rel: 1e-12))
    }

    @Test func squaredErrorVariantsAndActivationsAreWrittenOut() throws {
        var problem = Self.contractProblem
        problem.loss = .mse
        problem.network.layers[0].activation = .tanh
        problem.network.layers[1].activation = .linear
        let out = try problem.explained(WeightIndex(layer: 1, unit: 0, input: 0))
        #expect(out.factors.map(\.expression) == ["2(y_{1} − t_{1})/2", "1", "z^{(1)}_{1}"])
        #expect(out.factors[0].latex.hasSuffix("\\frac{2(y_{1} - t_{1})}{2}"))
        let hidden = try problem.explained(WeightIndex(layer: 0, unit: 0, input: 1))
        #expect(hidden.factors[1].expression == "1 − (z^{(1)}_{1})²")
        #expect(hidden.factors[1].latex.hasSuffix("1 - (z^{(1)}_{1})^{2}"))
        problem.network.layers[0].activation = .leakyRelu
        let leaky = try problem.explained(WeightIndex(layer: 0, unit: 0, input: 1))
        #expect(leaky.factors[1].expression == "[a^{(1)}_{1} > 0] + 0.01[a^{(1)}_{1} ≤ 0]")
        #expect(leaky.factors[1].value == 1)
    }

    // MARK: - Batches

    @Test(arguments: [Reduction.mean, .sum])
    func batchGradientIsTheReductionOfPerSampleProducts(reduction: Reduction) throws {
        var random = SplitMix64(seed: 31 + (reduction == .mean ? 0 : 1))
        for _ in 0..<10 {
            var problem = Self.randomProblem(&random, samples: 3)
            problem.reduction = reduction
            let samples = (0..<3).map { n in
                var single = problem
                single.inputs = Matrix(rectangular: [Array(problem.inputs.row(n))])
                single.targets = Matrix(rectangular: [Array(problem.targets!.row(n))])
                return single
            }
            for (l, layer) in problem.network.layers.enumerated() {
                for j in 0..<layer.units {
                    for i in 0..<layer.inputs {
                        let w = WeightIndex(layer: l, unit: j, input: i)
                        let batch = try problem.explained(w)
                        let terms = try samples.map { try productOf($0.explained(w).factors) }
                        let total = terms.reduce(0, +)
                        let reduced = reduction == .mean ? total / 3 : total
                        let scale = terms.reduce(0) { $0 + abs($1) }
                        #expect(abs(batch.gradient - reduced) <= 1e-9 * scale)
                        #expect(batch.gradient == (try problem.gradients()).layers[l].weightGradients[j, i])
                        let first = try samples[0].explained(w)
                        #expect(batch.factors == first.factors)
                        #expect(batch.deltaValue == first.deltaValue)
                        #expect(batch.note?.contains("batch of 3: factors are shown for sample 0; the gradient is the \(reduction.rawValue) over all samples of the same product") == true)
                        #expect(explainWellFormedLatex(batch.latex))
                        #expect(batch.latex.contains(reduction == .mean ? "\\frac{1}{3} \\sum_{n}" : "\\sum_{n}"))
                        #expect(batch.text.contains("sample 0: "))
                    }
                }
            }
        }
    }

    @Test func batchOfOneMultipliesToTheGradient() throws {
        let problem = Self.contractProblem
        let e = try problem.explained(WeightIndex(layer: 0, unit: 1, input: 0))
        #expect(e.note == nil)
        #expect(productOf(e.factors) == e.gradient)
    }

    // MARK: - Long sums

    @Test func moreThanEightUnitsAboveAreAbbreviated() throws {
        var random = SplitMix64(seed: 5)
        let problem = try Problem(network: Network(layers: [DenseLayer(weights: random.matrix(3, 2), activation: .tanh),
                                                        DenseLayer(weights: random.matrix(10, 3))]),
                              inputs: random.matrix(1, 2), targets: random.matrix(1, 10, 0, 1))
        let e = try problem.explained(WeightIndex(layer: 0, unit: 2, input: 1))
        #expect(e.factors[0].expression == "δ^{(2)}_{1} w^{(2)}_{13} + δ^{(2)}_{2} w^{(2)}_{23} + … + δ^{(2)}_{10} w^{(2)}_{10,3}")
        let above = try problem.gradients().layers[1].deltas
        var sum = 0.0
        for k in 0..<10 { sum += above[0, k] * problem.network.layers[1].weights[k, 2] }
        #expect(e.factors[0].value == sum)
        #expect(explainWellFormedLatex(e.latex) && e.latex.contains("\\dots"))
        #expect(productOf(e.factors) == e.gradient)
        // Eight terms are still written in full.
        let eight = try Problem(network: Network(layers: [DenseLayer(weights: random.matrix(3, 2)), DenseLayer(weights: random.matrix(8, 3))]),
                            inputs: random.matrix(1, 2), targets: random.matrix(1, 8, 0, 1))
        let full = try eight.explained(WeightIndex(layer: 0, unit: 0, input: 0))
        #expect(full.factors[0].expression.split(separator: "+").count == 8 && !full.factors[0].expression.contains("…"))
    }

    // MARK: - Numbers in LaTeX

    @Test func tinyAndNegativeNumbersAreWrittenAsLatex() throws {
        var problem = Self.contractProblem
        problem.inputs = Matrix(rectangular: [[1e-7, -0.9]])
        let e = try problem.explained(WeightIndex(layer: 0, unit: 0, input: 0))
        #expect(e.latex.contains("10^{-7}"))
        #expect(explainWellFormedLatex(e.latex))
        let f = try problem.explained(WeightIndex(layer: 0, unit: 0, input: 1))
        #expect(f.latex.contains("(-0.9)") || f.latex.hasSuffix("-0.9"))
        #expect(explainWellFormedLatex(f.latex))
    }

    // MARK: - The update

    @Test func updatedIsOneGradientStep() throws {
        let e = try Self.contractProblem.explained(WeightIndex(layer: 0, unit: 1, input: 0), learningRate: 0.3)
        let stepped = try Self.contractProblem.train(TrainingOptions(learningRate: 0.3))
        #expect(e.updated == e.weightValue - 0.3 * e.gradient)
        #expect(e.updated == stepped.network.layers[0].weights[1, 0])
        #expect(e.text.contains("updated: w^(1)_21 − η·∂E/∂w^(1)_21 = 0.3 − 0.3·"))
    }

    // MARK: - Biases

    /// ∂E/∂b = δ · 1: the same first factors as a weight of the unit, then ∂a/∂b = 1; the gradient
    /// is /gradients' bias gradient and, for one sample, the unit's δ itself.
    @Test func biasIsDeltaTimesOne() throws {
        let problem = Self.contractProblem
        let g = try problem.gradients()
        for j in 0..<2 {
            let b = try problem.explained(.bias(layer: 0, unit: j), learningRate: 0.5)
            let w = try problem.explained(WeightIndex(layer: 0, unit: j, input: 0))
            #expect(b.weightSymbol == "b^{(1)}_{\(j + 1)}")
            #expect(b.weightValue == 0.25)
            #expect(b.gradient == g.layers[0].biasGradients![j])
            #expect(b.gradient == g.layers[0].deltas[0, j])
            #expect(Array(b.factors.prefix(2)) == Array(w.factors.prefix(2)))
            #expect(b.factors[2].symbol == "∂a^{(1)}_{\(j + 1)}/∂b^{(1)}_{\(j + 1)}" && b.factors[2].value == 1 && b.factors[2].expression == "1")
            #expect(productOf(b.factors) == b.gradient)
            #expect(b.updated == 0.25 - 0.5 * b.gradient)
            #expect(b.text.hasPrefix("∂E/∂b^(1)_\(j + 1) = "))
            #expect(b.text.contains("updated: b^(1)_\(j + 1) − η·∂E/∂b^(1)_\(j + 1) = 0.25 − 0.5·"))
            #expect(explainWellFormedLatex(b.latex) && b.latex.hasPrefix("\\frac{\\partial E}{\\partial b^{(1)}_{\(j + 1)}}"))
        }
    }
}

/// A weight by its indices, as the tests name them.
fileprivate func WeightIndex(layer: Int, unit: Int, input: Int) -> Parameter {
    .weight(layer: layer, unit: unit, input: input)
}

/// The explanation as /explain answers it: the core's values and their written form.
fileprivate struct Explained {
    let core: Explanation
    let written: WrittenExplanation

    var weightSymbol: String { written.symbol }
    var weightValue: Double { core.value }
    var gradient: Double { core.gradient }
    var updated: Double { written.updated }
    var factors: [WrittenFactor] { written.factors }
    var deltaSymbol: String { written.deltaSymbol }
    var deltaValue: Double { core.delta }
    var latex: String { written.latex }
    var text: String { written.text }
    var note: String? { written.note }
}

fileprivate extension Problem {
    func explained(_ parameter: Parameter, learningRate: Double = 1) throws(BackpropError) -> Explained {
        let e = try explain(parameter)
        return Explained(core: e, written: WrittenExplanation(e, learningRate: learningRate))
    }
}

/// True when `|a − b| ≤ rel · max(|a|, |b|)` (BackpropTests' isClose, without the absolute floor
/// these tests do not need).
fileprivate func isClose(_ a: Double, _ b: Double, rel: Double) -> Bool {
    a.isFinite && b.isFinite && abs(a - b) <= rel * max(abs(a), abs(b))
}

fileprivate extension SplitMix64 {
    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func bool() -> Bool { next() & 1 == 1 }
}
