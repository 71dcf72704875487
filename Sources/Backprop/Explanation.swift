// The chain rule for one weight, carried out with the network's own numbers (POST /explain): the
// factors of ∂E/∂w, each named, written out and evaluated, and their product, the gradient.
// Not a second backward pass: every value is read from Network.gradients or computed by the same
// core functions it uses; the notation and its rendering live in ExplanationText.swift.

/// One weight, `layers[layer].weights[unit][input]`, all indices 0-based.
public struct WeightIndex: Sendable, Equatable {
    public var layer: Int
    public var unit: Int
    public var input: Int

    public init(layer: Int, unit: Int, input: Int) {
        self.layer = layer
        self.unit = unit
        self.input = input
    }
}

/// One factor of the chain rule.
public struct ChainFactor: Sendable, Equatable {
    /// What the factor is, in the contract's notation: `∂E/∂z^{(1)}_{1}`, or `δ^{(2)}_{1}` when it stands for two.
    public var symbol: String
    /// The factor written out: `δ^{(2)}_{1} w^{(2)}_{11} + δ^{(2)}_{2} w^{(2)}_{21}`.
    public var expression: String
    /// `symbol = expression` in LaTeX: `\frac{\partial E}{\partial z^{(1)}_{1}} = \delta^{(2)}_{1} w^{(2)}_{11} + …`.
    public var latex: String
    public var value: Double

    public init(symbol: String, expression: String, latex: String, value: Double) {
        self.symbol = symbol
        self.expression = expression
        self.latex = latex
        self.value = value
    }
}

/// The derivation of ∂E/∂w for one weight w.
///
/// For a weight into unit j of layer l from unit i below, with an elementwise activation f, one sample:
///
///     ∂E/∂w_ji = ∂E/∂z_j · ∂z_j/∂a_j · ∂a_j/∂w_ji
///              = ∂E/∂z_j · f'(a_j)   · z_i(l−1)          (x_i for the first layer)
///
///     ∂E/∂z_j  = ∂E/∂y_j                        output layer: y_j − t_j (half_sse), 2(y_j − t_j)/K (mse)
///              = Σ_k δ_k(l+1) · w_kj(l+1)       hidden layer: over every unit k of the layer above
///
/// Where the first two factors do not separate, one factor δ_j = ∂E/∂a_j stands for both and
/// `note` says why: cross-entropy after softmax or sigmoid (δ = y − t), or a softmax layer, whose
/// Jacobian couples all its units (δ_j = z_j (g_j − Σ_k g_k z_k), g = ∂E/∂z).
///
/// A batch of N > 1 samples: the gradient is the reduction (mean or sum) over the samples of the
/// same product, each with its own numbers. `factors` and `delta` are those of sample 0 only, so
/// their product is that sample's term, not `gradient`; `note` says so. For N = 1 the product of
/// the factor values, taken left to right, is `gradient` (bit for bit: the backward pass
/// multiplies the same numbers in the same order).
public struct Explanation: Sendable, Equatable {
    public var weight: WeightIndex
    /// `w^{(1)}_{11}`: 1-based subscripts, destination unit first, layer in parentheses.
    public var weightSymbol: String
    public var weightValue: Double
    /// ∂E/∂w reduced over the batch: the matching entry of `GradientsResult`'s weight gradients.
    public var gradient: Double
    /// `weightValue − learningRate · gradient`, the weight after one gradient-descent step.
    public var updated: Double
    /// The chain-rule factors in order (of sample 0 for a batch).
    public var factors: [ChainFactor]
    /// `δ^{(l)}_{j}`, and the unit's δ = ∂E/∂a for sample 0.
    public var deltaSymbol: String
    public var deltaValue: Double
    /// One display equation: ∂E/∂w = factor names = formulas = numbers = values = result.
    public var latex: String
    /// The same in plain text, one step per line, then the update (and the note, if any).
    public var text: String
    /// Set when δ stands for two fused factors, and for a batch.
    public var note: String?
}

extension Problem {
    /// The chain rule for one weight, with this problem's numbers.
    ///
    /// Requires targets (as gradients do). Throws `.invalidValue` at `weight.layer`, `weight.unit` or
    /// `weight.input` for an index out of range, and at `learningRate` unless it is finite and ≥ 0.
    public func explain(_ weight: WeightIndex, learningRate: Double = 1) throws(BackpropError) -> Explanation {
        try checkExplainable(weight, learningRate: learningRate)
        let result = try gradients()
        let (l, j, i) = (weight.layer, weight.unit, weight.input)
        let last = network.layers.count - 1
        let layer = network.layers[l]
        let pass = result.layers[l]
        let names = UnitNames(layerCount: network.layers.count)

        // Sample 0's quantities, as 1-row matrices for the core's own functions.
        let a = firstRow(pass.weightedSums), z = firstRow(pass.outputs), delta = firstRow(pass.deltas)
        let input = firstRow(l == 0 ? inputs : result.layers[l - 1].outputs)

        var factors: [DerivedFactor] = []
        var notes: [String] = []
        let unitOutput = names.output(l, j)
        let weightedSum = Quantity.weightedSum(layer: l + 1, unit: "\(j + 1)")
        if l == last && loss.fusesWithOutput(layer.activation) {
            let y = z[0, j], t = targets![0, j]
            factors.append(DerivedFactor(name: .quantity(names.delta(l, j)),
                                         formula: .difference(.quantity(.networkOutput(unit: "\(j + 1)"), y), .quantity(.target(unit: "\(j + 1)"), t)),
                                         value: delta[0, j]))
            notes.append("with cross-entropy after \(layer.activation.rawValue) the first two factors, ∂E/∂y and ∂y/∂a, "
                         + "collapse to one: δ = y − t")
        } else if layer.activation == .softmax {
            factors.append(DerivedFactor(name: .quantity(names.delta(l, j)),
                                         formula: softmaxDelta(names, layer: l, unit: j, value: delta[0, j]),
                                         value: delta[0, j]))
            let what = l == last ? "every output" : "every unit of layer \(l)"
            let z = l == last ? "y" : "z"
            notes.append("softmax couples \(what), so ∂E/∂\(z) and ∂\(z)/∂a do not separate: they are computed as one factor, "
                         + "δ = Jᵀ ∂E/∂\(z) with J = diag(\(z)) − \(z)\(z)ᵀ")
        } else {
            if l == last {
                factors.append(lossFactor(names, unit: j, outputs: z))
            } else {
                factors.append(errorSumFactor(names, layer: l, unit: j, above: result.layers[l + 1].deltas))
            }
            // f'(a) is the activation's backward of a gradient of ones (elementwise activations only).
            let ones = Matrix(rows: 1, cols: z.cols, storage: Array(repeating: 1, count: z.cols))
            let slope = layer.activation.backward(weightedSums: a, outputs: z, gradient: ones)[0, j]
            factors.append(DerivedFactor(name: .partial(of: unitOutput, by: weightedSum),
                                         formula: slopeFormula(layer.activation, output: .quantity(unitOutput, z[0, j]),
                                                               weightedSum: .quantity(weightedSum, a[0, j])),
                                         value: slope))
        }
        let w = Quantity.weight(layer: l + 1, unit: "\(j + 1)", input: "\(i + 1)")
        factors.append(DerivedFactor(name: .partial(of: weightedSum, by: w),
                                     formula: .quantity(names.input(l, i), input[0, i]), value: input[0, i]))

        let samples = inputs.rows
        if samples > 1 {
            let how = reduction == .mean ? "mean" : "sum"
            notes.append("batch of \(samples): factors are shown for sample 0; the gradient is the \(how) over all samples of the same product")
        }
        let note = notes.isEmpty ? nil : notes.joined(separator: "; ")

        let value = layer.weights[j, i]
        let gradient = pass.weightGradients[j, i]
        let updated = value - learningRate * gradient
        let written = writeDerivation(weight: w, factors: factors, gradient: gradient,
                                      batch: samples > 1 ? BatchForm(samples: samples, reduction: reduction) : nil,
                                      weightValue: value, learningRate: learningRate, updated: updated, note: note)
        return Explanation(weight: weight, weightSymbol: w.written(.unicode), weightValue: value,
                           gradient: gradient, updated: updated, factors: factors.map(\.chainFactor),
                           deltaSymbol: names.delta(l, j).written(.unicode), deltaValue: delta[0, j],
                           latex: written.latex, text: written.text, note: note)
    }

    /// Every issue with the request at once: indices, learning rate, targets.
    private func checkExplainable(_ weight: WeightIndex, learningRate: Double) throws(BackpropError) {
        var c = IssueCollector()
        let path = FieldPath.root.key("weight")
        let count = network.layers.count
        if !(0..<count).contains(weight.layer) {
            c.add(.invalidValue, path.key("layer"), "layer \(weight.layer) is out of range: the network has \(counted(count, "layer"))\(range(count))")
        } else {
            let layer = network.layers[weight.layer]
            if !(0..<layer.units).contains(weight.unit) {
                c.add(.invalidValue, path.key("unit"),
                      "unit \(weight.unit) is out of range: layer \(weight.layer) has \(counted(layer.units, "unit"))\(range(layer.units))")
            }
            if !(0..<layer.inputs).contains(weight.input) {
                c.add(.invalidValue, path.key("input"),
                      "input \(weight.input) is out of range: each unit of layer \(weight.layer) has \(counted(layer.inputs, "input"))\(range(layer.inputs))")
            }
        }
        if !learningRate.isFinite || learningRate < 0 {
            c.add(.invalidValue, .root.key("learningRate"), "expected a finite number ≥ 0, found \(learningRate)")
        }
        if targets == nil {
            let key = isBatch ? "targets" : "target"
            c.add(.shapeMismatch, .root.key(key), "required: the \(key) the outputs are compared with")
        }
        try c.throwIfAny()
    }

    /// ∂E/∂y_j of the output layer, with the loss's own function for the value.
    private func lossFactor(_ names: UnitNames, unit j: Int, outputs y: Matrix) -> DerivedFactor {
        let t = firstRow(targets!)
        let g = loss.outputGradient(outputs: y, targets: t)[0, j]
        let error = Formula.difference(.quantity(.networkOutput(unit: "\(j + 1)"), y[0, j]), .quantity(.target(unit: "\(j + 1)"), t[0, j]))
        let formula: Formula = loss == .mse ? .quotient(.juxtaposed(.constant("2"), error), .constant("\(y.cols)")) : error
        return DerivedFactor(name: .partial(of: nil, by: .networkOutput(unit: "\(j + 1)")), formula: formula, value: g)
    }

    /// ∂E/∂z_j of a hidden unit: Σ_k δ_k w_kj over the layer above, by the backward pass's own product.
    private func errorSumFactor(_ names: UnitNames, layer l: Int, unit j: Int, above: Matrix) -> DerivedFactor {
        let deltas = firstRow(above)
        let weights = network.layers[l + 1].weights
        let value = Matrix.multiply(deltas, weights)[0, j]
        let term = { (k: Int) -> Formula in
            .product(.quantity(names.delta(l + 1, k), deltas[0, k]),
                     .quantity(.weight(layer: l + 2, unit: "\(k + 1)", input: "\(j + 1)"), weights[k, j]))
        }
        let units = weights.rows
        let terms = units <= 8 ? (0..<units).map(term) : [term(0), term(1), .ellipsis, term(units - 1)]
        let formula: Formula = terms.count == 1 ? terms[0] : .sum(terms)
        return DerivedFactor(name: .partial(of: nil, by: names.output(l, j)), formula: formula, value: value)
    }

    /// δ_j = z_j (g_j − Σ_k g_k z_k) of a softmax layer, g = ∂E/∂z: written out, substituted only as its value.
    private func softmaxDelta(_ names: UnitNames, layer l: Int, unit j: Int, value: Double) -> Formula {
        func written(_ n: Notation) -> String {
            let zj = names.output(l, j, index: "\(j + 1)").written(n), zk = names.output(l, j, index: "k").written(n)
            let gj = FactorName.partial(of: nil, by: names.output(l, j, index: "\(j + 1)")).written(n)
            let gk = FactorName.partial(of: nil, by: names.output(l, j, index: "k")).written(n)
            switch n {
            case .unicode: return "\(zj)(\(gj) − Σ_k \(gk) \(zk))"
            case .latex: return "\(zj)\\left(\(gj) - \\sum_{k} \(gk) \(zk)\\right)"
            case .plain: return "\(zj)(\(gj) − Σ_k \(gk)·\(zk))"
            }
        }
        return .verbatim(unicode: written(.unicode), latex: written(.latex), plain: written(.plain), value: value)
    }
}

/// f'(a) written in terms of a and z = f(a) (elementwise activations).
private func slopeFormula(_ f: Activation, output z: Formula, weightedSum a: Formula) -> Formula {
    switch f {
    case .sigmoid: .juxtaposed(z, .difference(.constant("1"), z))
    case .tanh: .difference(.constant("1"), .square(z))
    case .relu: .positive(a)
    case .leakyRelu: .sum([.positive(a), .juxtaposed(.constant(Activation.leakySlope.description), .nonPositive(a))])
    case .linear: .constant("1")
    case .softmax: preconditionFailure("softmax is explained with one δ factor")
    }
}

/// Names of the units of a network of L layers, from 0-based indices: the output layer's outputs are
/// y, the first layer's inputs are x.
private struct UnitNames {
    var layerCount: Int

    /// z^{(l)}_{j}, or y_{j} for the output layer; `index` overrides the printed subscript.
    func output(_ l: Int, _ j: Int, index: String? = nil) -> Quantity {
        let sub = index ?? "\(j + 1)"
        return l == layerCount - 1 ? .networkOutput(unit: sub) : .output(layer: l + 1, unit: sub)
    }

    /// What unit i below layer l is: x_{i} or z^{(l−1)}_{i}.
    func input(_ l: Int, _ i: Int) -> Quantity {
        l == 0 ? .input(unit: "\(i + 1)") : output(l - 1, i)
    }

    func delta(_ l: Int, _ j: Int) -> Quantity { .delta(layer: l + 1, unit: "\(j + 1)") }
}

private func firstRow(_ m: Matrix) -> Matrix {
    Matrix(rows: 1, cols: m.cols, storage: Array(m.row(0)))
}

private func counted(_ n: Int, _ noun: String) -> String {
    "\(n) \(noun)\(n == 1 ? "" : "s")"
}

private func range(_ n: Int) -> String {
    n > 0 ? " (0…\(n - 1))" : ""
}
