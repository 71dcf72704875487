// The chain rule for one parameter, carried out with the network's own numbers: the factors of
// ∂E/∂w (or ∂E/∂b), each named, written as a formula and evaluated, and their product, the gradient.
// Not a second backward pass: every value is read from Network.gradients or computed by the same
// core functions it uses. Not the rendering either (ExplanationText writes LaTeX and plain text).

/// A weight `layers[layer].weights[unit][input]` or a bias `layers[layer].biases[unit]`, 0-based.
public enum Parameter: Sendable, Equatable {
    case weight(layer: Int, unit: Int, input: Int)
    case bias(layer: Int, unit: Int)

    public var layer: Int {
        switch self {
        case .weight(let l, _, _), .bias(let l, _): l
        }
    }

    public var unit: Int {
        switch self {
        case .weight(_, let j, _), .bias(_, let j): j
        }
    }
}

/// Why the derivation is not the plain three-factor chain, for the reader.
public enum ExplanationNote: Sendable, Equatable {
    /// Cross-entropy after softmax or sigmoid: ∂E/∂y and ∂y/∂a collapse to δ = y − t.
    case fusedCrossEntropy(Activation)
    /// A softmax layer couples its units: ∂E/∂z and ∂z/∂a are one factor, δ = Jᵀ ∂E/∂z.
    case softmaxCoupling(layer: Int, isOutput: Bool)
    /// A batch: the factors are sample 0's; the gradient reduces the same product over the samples.
    case batch(samples: Int, reduction: Reduction)
}

/// The derivation of ∂E/∂θ for one parameter θ.
///
/// For a weight into unit j of layer l from unit i below, with an elementwise activation f, one sample:
///
///     ∂E/∂w_ji = ∂E/∂z_j · ∂z_j/∂a_j · ∂a_j/∂w_ji
///              = ∂E/∂z_j · f'(a_j)   · z_i(l−1)          (x_i for the first layer)
///
///     ∂E/∂z_j  = ∂E/∂y_j                        output layer: y_j − t_j (half_sse), 2(y_j − t_j)/K (mse)
///              = Σ_k δ_k(l+1) · w_kj(l+1)       hidden layer: over every unit k of the layer above
///
/// A bias has the same first factors and ∂a_j/∂b_j = 1, so ∂E/∂b_j = δ_j.
///
/// Where the first two factors do not separate, one factor δ_j = ∂E/∂a_j stands for both
/// (`notes` says why): cross-entropy after softmax or sigmoid (δ = y − t), or a softmax layer,
/// whose Jacobian couples all its units (δ_j = z_j (g_j − Σ_k g_k z_k), g = ∂E/∂z).
///
/// A batch of N > 1 samples: the gradient is the reduction (mean or sum) over the samples of the
/// same product, each with its own numbers. `factors` and `delta` are those of sample 0 only, so
/// their product is that sample's term, not `gradient`. For N = 1 the product of the factor
/// values, taken left to right, is `gradient` (bit for bit: the backward pass multiplies the
/// same numbers in the same order). With regularization, that product is ∂E/∂w of the data
/// loss, and `gradient` adds the penalty's term.
public struct Explanation: Sendable, Equatable {
    public var parameter: Parameter
    /// The parameter's current value.
    public var value: Double
    /// ∂E/∂θ reduced over the batch: the matching entry of `GradientsResult`.
    public var gradient: Double
    /// The chain-rule factors in order (of sample 0 for a batch).
    public var factors: [DerivedFactor]
    /// A weight's regularization: ∂E/∂w gains λ2·w + λ1·sign(w) (nil for a bias, or without
    /// regularization). `gradient` includes it.
    public var regularization: Regularization?
    /// The unit's δ = ∂E/∂a for sample 0.
    public var delta: Double
    /// Samples in the batch and how their products are reduced.
    public var samples: Int
    public var reduction: Reduction
    public var notes: [ExplanationNote]

    /// The parameter as a quantity of the notation.
    public var quantity: Quantity {
        switch parameter {
        case .weight(let l, let j, let i): .weight(layer: l, unit: j, input: i)
        case .bias(let l, let j): .bias(layer: l, unit: j)
        }
    }

    /// δ of the parameter's unit, as a quantity.
    public var deltaQuantity: Quantity { .delta(layer: parameter.layer, unit: parameter.unit) }
}

extension Problem {
    /// The chain rule for one parameter, with this problem's numbers.
    ///
    /// Requires targets (as gradients do) and indices in range (preconditions: the caller checks
    /// them against the network, as `Network.contains` does); a bias needs a layer with biases.
    /// With `regularization`, a weight's gradient is that of the whole objective E + P:
    ///
    ///     ∂(E + P)/∂w = ∂E/∂w + λ2·w + λ1·sign(w)       (biases are not regularized)
    public func explain(_ parameter: Parameter, regularization: Regularization = .none) throws(BackpropError) -> Explanation {
        precondition(network.contains(parameter), "parameter out of range")
        let result = try gradients()
        let (l, j) = (parameter.layer, parameter.unit)
        let last = network.layers.count - 1
        let layer = network.layers[l]
        let pass = result.layers[l]
        let names = UnitNames(layerCount: network.layers.count)

        // Sample 0's quantities, as 1-row matrices for the core's own functions.
        let a = firstRow(pass.weightedSums), z = firstRow(pass.outputs), delta = firstRow(pass.deltas)

        var factors: [DerivedFactor] = []
        var notes: [ExplanationNote] = []
        let unitOutput = names.output(l, .index(j))
        let weightedSum = Quantity.weightedSum(layer: l, unit: .index(j))
        if l == last && loss.fusesWithOutput(layer.activation) {
            let y = z[0, j], t = targets![0, j]
            factors.append(DerivedFactor(name: .quantity(.delta(layer: l, unit: j)),
                                         formula: .difference(.quantity(.networkOutput(unit: .index(j)), y), .quantity(.target(unit: j), t)),
                                         value: delta[0, j]))
            notes.append(.fusedCrossEntropy(layer.activation))
        } else if layer.activation == .softmax {
            factors.append(DerivedFactor(name: .quantity(.delta(layer: l, unit: j)),
                                         formula: .softmaxDelta(output: unitOutput, value: delta[0, j]), value: delta[0, j]))
            notes.append(.softmaxCoupling(layer: l, isOutput: l == last))
        } else {
            if l == last {
                factors.append(lossFactor(unit: j, outputs: z))
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

        let value: Double, gradient: Double
        var penalized: Regularization?
        switch parameter {
        case .weight(_, _, let i):
            let input = firstRow(l == 0 ? inputs : result.layers[l - 1].outputs)
            factors.append(DerivedFactor(name: .partial(of: weightedSum, by: .weight(layer: l, unit: j, input: i)),
                                         formula: .quantity(names.input(l, i), input[0, i]), value: input[0, i]))
            value = layer.weights[j, i]
            gradient = regularization.adding(to: pass.weightGradients[j, i], weight: value)
            penalized = regularization.isZero ? nil : regularization
            guard gradient.isFinite else {
                throw BackpropError(.nonFinite, at: .layer(l), ComputationSite.single.describe("the weight gradients with regularization", layer: l))
            }
        case .bias:
            // a_j = Σ_i w_ji z_i + b_j, so ∂a_j/∂b_j = 1.
            factors.append(DerivedFactor(name: .partial(of: weightedSum, by: .bias(layer: l, unit: j)), formula: .integer(1), value: 1))
            value = layer.biases![j]
            gradient = pass.biasGradients![j]
        }

        let samples = inputs.rows
        if samples > 1 { notes.append(.batch(samples: samples, reduction: reduction)) }
        return Explanation(parameter: parameter, value: value, gradient: gradient, factors: factors, regularization: penalized, delta: delta[0, j],
                           samples: samples, reduction: reduction, notes: notes)
    }

    /// ∂E/∂y_j of the output layer, with the loss's own function for the value.
    private func lossFactor(unit j: Int, outputs y: Matrix) -> DerivedFactor {
        let t = firstRow(targets!)
        let g = loss.outputGradient(outputs: y, targets: t)[0, j]
        let error = Formula.difference(.quantity(.networkOutput(unit: .index(j)), y[0, j]), .quantity(.target(unit: j), t[0, j]))
        let formula: Formula = switch loss {
        case .halfSSE: error
        case .mse: .quotient(.juxtaposed(.integer(2), error), .integer(y.cols))
        case .crossEntropy: preconditionFailure("cross_entropy is explained with one δ factor")
        }
        return DerivedFactor(name: .partial(of: nil, by: .networkOutput(unit: .index(j))), formula: formula, value: g)
    }

    /// ∂E/∂z_j of a hidden unit: Σ_k δ_k w_kj over the layer above, by the backward pass's own product.
    private func errorSumFactor(_ names: UnitNames, layer l: Int, unit j: Int, above: Matrix) -> DerivedFactor {
        let deltas = firstRow(above)
        let weights = network.layers[l + 1].weights
        let value = Matrix.multiply(deltas, weights)[0, j]
        let term = { (k: Int) -> Formula in
            .product(.quantity(.delta(layer: l + 1, unit: k), deltas[0, k]),
                     .quantity(.weight(layer: l + 1, unit: k, input: j), weights[k, j]))
        }
        let units = weights.rows
        let terms = units <= 8 ? (0..<units).map(term) : [term(0), term(1), .ellipsis, term(units - 1)]
        let formula: Formula = terms.count == 1 ? terms[0] : .sum(terms)
        return DerivedFactor(name: .partial(of: nil, by: names.output(l, .index(j))), formula: formula, value: value)
    }
}

extension Network {
    /// True when `parameter` names a weight or bias this network has.
    public func contains(_ parameter: Parameter) -> Bool {
        guard layers.indices.contains(parameter.layer) else { return false }
        let layer = layers[parameter.layer]
        switch parameter {
        case .weight(_, let j, let i): return (0..<layer.units).contains(j) && (0..<layer.inputs).contains(i)
        case .bias(_, let j): return (0..<(layer.biases?.count ?? 0)).contains(j)
        }
    }
}

/// f'(a) written in terms of a and z = f(a) (elementwise activations).
private func slopeFormula(_ f: Activation, output z: Formula, weightedSum a: Formula) -> Formula {
    switch f {
    case .sigmoid: .juxtaposed(z, .difference(.integer(1), z))
    case .tanh: .difference(.integer(1), .square(z))
    case .relu: .positive(a)
    case .leakyRelu: .sum([.positive(a), .juxtaposed(.constant(Activation.leakySlope), .nonPositive(a))])
    case .linear: .integer(1)
    case .softmax: preconditionFailure("softmax is explained with one δ factor")
    }
}

/// Names of the units of a network of L layers: the output layer's outputs are y, the first
/// layer's inputs are x.
private struct UnitNames {
    var layerCount: Int

    /// z^{(l)}_{j}, or y_{j} for the output layer.
    func output(_ l: Int, _ j: Subscript) -> Quantity {
        l == layerCount - 1 ? .networkOutput(unit: j) : .output(layer: l, unit: j)
    }

    /// What unit i below layer l is: x_{i} or z^{(l−1)}_{i}.
    func input(_ l: Int, _ i: Int) -> Quantity {
        l == 0 ? .input(unit: i) : output(l - 1, .index(i))
    }
}

private func firstRow(_ m: Matrix) -> Matrix {
    Matrix(rows: 1, cols: m.cols, storage: Array(m.row(0)))
}
