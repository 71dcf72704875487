// A stack of dense layers: the forward pass, and the backward pass that is the forward loop run
// in reverse. Every intermediate is checked for overflow as it is made, so nothing non-finite
// leaves the core. Not training: repeated steps are in Training.swift.

/// Layers l = 1…L (stored 0-based): `a(l) = W(l) · z(l−1) + b(l)`, `z(l) = f(l)(a(l))`, `z(0) = x`.
public struct Network: Sendable, Equatable {
    public var layers: [DenseLayer]

    public init(layers: [DenseLayer]) { self.layers = layers }

    public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }
}

/// The forward pass of a batch, and its loss when targets were given.
public struct ForwardResult: Sendable, Equatable {
    /// a and z of every layer, N×J each.
    public var layers: [LayerForward]
    /// E reduced over the batch; nil without targets.
    public var loss: Double?

    /// y = z(L), N×K.
    public var output: Matrix { layers.last!.outputs }
}

/// The backward pass of a batch.
public struct GradientsResult: Sendable, Equatable {
    /// Per layer: a, z, δ, ∂E/∂W and ∂E/∂b.
    public var layers: [LayerGradients]
    /// E reduced over the batch.
    public var loss: Double

    /// y = z(L), N×K.
    public var output: Matrix { layers.last!.outputs }
}

/// Where in a computation a non-finite number appeared, for the error message.
public struct ComputationSite: Sendable, Equatable {
    /// 1-based step of a training run, or nil outside one.
    public var step: Int?
    public var steps: Int?

    public init(step: Int? = nil, of steps: Int? = nil) {
        self.step = step
        self.steps = steps
    }

    public static let single = ComputationSite()

    func describe(_ what: String, layer l: Int) -> String {
        describe(what, of: "layer \(l)")
    }

    /// "what of whom became non-finite (overflow or NaN) in step s of n; try …".
    func describe(_ what: String, of whom: String) -> String {
        let when = step.map { " in step \($0) of \(steps ?? $0)" } ?? ""
        return "\(what) of \(whom) became non-finite (overflow or NaN)\(when); try a smaller learning rate, smaller weights or scaled inputs"
    }
}

extension Network {
    /// Runs every layer in order on the batch x (N×I).
    public func forward(_ x: Matrix, site: ComputationSite = .single) throws(BackpropError) -> [LayerForward] {
        var passes: [LayerForward] = []
        passes.reserveCapacity(layers.count)
        try forward(x, site: site) { passes.append($0) }
        return passes
    }

    /// The same, handing each layer's checked pass to `body` as it is made, from layer `first` on.
    /// The layers below `first` keep z alone, f applied in the storage of a: a pass that reads
    /// only the top layer (the loss) makes one matrix a layer there instead of two.
    ///
    /// Only a(l) is checked: every activation maps finite a to finite z (sigmoid and tanh are
    /// bounded, relu, leaky_relu and linear are finite of finite, softmax subtracts its row's
    /// maximum so its sum is ≥ 1), so z(l) needs no pass of its own.
    private func forward(_ x: Matrix, site: ComputationSite, handingOnFrom first: Int = 0,
                         _ body: (consuming LayerForward) throws(BackpropError) -> Void) throws(BackpropError) {
        var z = x
        for l in layers.indices {
            var a = layers[l].weightedSums(z)
            try requireFinite(a, "the weighted sums", layer: l, site: site)
            if l < first {
                layers[l].activation.forward(inPlace: &a)
                z = a
            } else {
                z = layers[l].activation.forward(a)
                try body(LayerForward(weightedSums: a, outputs: z))
            }
        }
    }

    /// Forward and backward on the batch x (N×I) with targets t (N×K): every layer's δ and
    /// parameter gradients, and the loss reduced over the batch.
    ///
    /// The backward pass is the forward loop reversed:
    ///
    ///     δ(L)     = output delta of the loss (Loss.swift)
    ///     δ(l)     = f'(a(l)) ⊙ (δ(l+1) · W(l+1))      for l = L−1 … 1
    ///     ∂E/∂W(l) = s · δ(l)ᵀ · z(l−1),  ∂E/∂b(l) = s · Σ_n δ(l)_n,   s = 1/N (mean) or 1 (sum)
    ///
    /// δ(l) is computed in the storage of δ(l+1) · W(l+1), which nothing else holds, and moves
    /// into the result once the layer's backward pass has read it (no retain, no release).
    public func gradients(_ x: Matrix, targets t: Matrix, loss: LossFunction, reduction: Reduction,
                          site: ComputationSite = .single) throws(BackpropError) -> GradientsResult {
        // One entry per layer from the start: a and z filled in on the way up, δ and the parameter
        // gradients on the way down (no separate array of passes, nothing to reverse).
        var result: [LayerGradients] = []
        result.reserveCapacity(layers.count)
        try forward(x, site: site) { result.append(LayerGradients(unfilled: $0)) }
        let last = layers.count - 1
        let e = try self.reducedLoss(weightedSums: result[last].weightedSums, outputs: result[last].outputs, targets: t,
                              loss: loss, reduction: reduction, site: site)
        let s = reduction.scale(samples: x.rows)

        var delta = loss.outputDelta(weightedSums: result[last].weightedSums, outputs: result[last].outputs,
                                     targets: t, activation: layers[last].activation)
        for l in stride(from: last, through: 0, by: -1) {
            try requireFinite(delta, "the deltas", layer: l, site: site)
            let input = l == 0 ? x : result[l - 1].outputs
            let (dWeights, dBiases, dInput) = layers[l].backward(delta: delta, input: input, scale: s, needsInputGradient: l > 0)
            try requireFinite(dWeights, "the weight gradients", layer: l, site: site)
            // Finite per-sample deltas can still sum to ±Infinity over the batch.
            if let dBiases { try requireFinite(dBiases, "the bias gradients", layer: l, site: site) }
            result[l].deltas = consume delta
            result[l].weightGradients = dWeights
            result[l].biasGradients = dBiases
            guard let dInput else { break }
            delta = layers[l - 1].activation.backward(weightedSums: result[l - 1].weightedSums,
                                                      outputs: result[l - 1].outputs, gradient: dInput)
        }
        return GradientsResult(layers: result, loss: e)
    }

    /// E of the batch x with targets t, reduced over the samples: a forward pass that keeps the
    /// last layer's a and z only, and the loss.
    public func loss(_ x: Matrix, targets t: Matrix, loss: LossFunction, reduction: Reduction,
                     site: ComputationSite = .single) throws(BackpropError) -> Double {
        var e = 0.0
        try forward(x, site: site, handingOnFrom: layers.count - 1) { (top) throws(BackpropError) in
            e = try self.reducedLoss(weightedSums: top.weightedSums, outputs: top.outputs, targets: t, loss: loss, reduction: reduction, site: site)
        }
        return e
    }

    /// E reduced over the batch, from the last layer's a(L) and y (LossFunction.sampleLoss says which it reads).
    fileprivate func reducedLoss(weightedSums a: Matrix, outputs y: Matrix, targets t: Matrix, loss: LossFunction, reduction: Reduction,
                      site: ComputationSite) throws(BackpropError) -> Double {
        let last = layers.count - 1, activation = layers[last].activation
        let e = reduction.combine(samples: t.rows) { n in
            loss.sampleLoss(n, weightedSums: a, outputs: y, targets: t, activation: activation)
        }
        guard e.isFinite else { throw BackpropError(.nonFinite, at: .layer(last), site.describe("the loss", layer: last)) }
        return e
    }
}

extension Problem {
    /// One forward pass, with the loss when there are targets.
    public func forward() throws(BackpropError) -> ForwardResult {
        let passes = try network.forward(inputs)
        guard let t = targets else { return ForwardResult(layers: passes, loss: nil) }
        let last = passes[passes.count - 1]
        return ForwardResult(layers: passes, loss: try network.reducedLoss(weightedSums: last.weightedSums, outputs: last.outputs, targets: t,
                                                                     loss: loss, reduction: reduction, site: .single))
    }

    /// One forward and backward pass. Throws at `.targets` when the problem has none.
    public func gradients() throws(BackpropError) -> GradientsResult {
        guard let t = targets else { throw BackpropError(.shapeMismatch, at: .targets, "required for gradients") }
        return try network.gradients(inputs, targets: t, loss: loss, reduction: reduction)
    }
}

extension LayerGradients {
    /// A layer's a and z, its δ and parameter gradients still empty (0×0, nil) until the backward
    /// pass fills them in.
    fileprivate init(unfilled pass: consuming LayerForward) {
        let none = Matrix(rows: 0, cols: 0, storage: [])
        self.init(weightedSums: pass.weightedSums, outputs: pass.outputs, deltas: none, weightGradients: none, biasGradients: nil)
    }
}

/// Throws a non-finite error naming the layer and step when m holds NaN or ±Infinity.
///
/// Inlined: the check is one pass over m, and as a call it was a retain and a release of m's
/// storage around that pass; the error, the rare case, is built out of line.
@inline(__always)
func requireFinite(_ m: Matrix, _ what: String, layer l: Int, site: ComputationSite) throws(BackpropError) {
    guard m.isFinite else { throw nonFinite(what, layer: l, site: site) }
}

/// The same for a vector (biases and their gradients).
@inline(__always)
func requireFinite(_ v: [Double], _ what: String, layer l: Int, site: ComputationSite) throws(BackpropError) {
    guard v.isFinite else { throw nonFinite(what, layer: l, site: site) }
}

/// The error of both checks: the path of layer l, with what became non-finite and when.
@inline(never)
func nonFinite(_ what: String, layer l: Int, site: ComputationSite) -> BackpropError {
    BackpropError(.nonFinite, at: .layer(l), site.describe(what, layer: l))
}
