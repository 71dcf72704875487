// The optimizers of PyTorch's torch.optim that a training step can use instead of plain descent:
// their hyperparameters and defaults, and one step over every parameter of a network. Each update
// is PyTorch's single-tensor (foreach=False) code, operation for operation (OptimizerKernels.swift).
// Not the training loop (which computes the gradients and calls `step`), not the wire form, and
// no weight decay except AdamW's decoupled one: L2 is Regularization.swift's.

import RealModule

/// An update rule of `torch.optim` with its hyperparameters; every default is PyTorch's.
///
/// The learning rate η is not among them: it is the step's (`Optimizer.update`), as in the API.
public enum OptimizerAlgorithm: Sendable, Equatable {
    /// `torch.optim.SGD`: plain descent, or with PyTorch's momentum (η outside the velocity).
    case sgd(momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false)
    /// `torch.optim.Adagrad`.
    case adagrad(lrDecay: Double = 0, initialAccumulatorValue: Double = 0, eps: Double = 1e-10)
    /// `torch.optim.RMSprop`.
    case rmsprop(alpha: Double = 0.99, eps: Double = 1e-8, momentum: Double = 0, centered: Bool = false)
    /// `torch.optim.Adam` (no amsgrad, no weight decay).
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8)
    /// `torch.optim.AdamW`: Adam after a decoupled weight decay w ← w − η·λ·w.
    case adamw(beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8, weightDecay: Double = 0.01)

    /// Plain gradient descent, `w ← w − η·g`: what a request without an optimizer gets.
    public static let plain = OptimizerAlgorithm.sgd()

    /// The algorithm's name in the API (PyTorch's class name in lower case).
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adagrad: "adagrad"
        case .rmsprop: "rmsprop"
        case .adam: "adam"
        case .adamw: "adamw"
        }
    }

    /// The names the API accepts, in the contract's order.
    public static let names = ["sgd", "adagrad", "rmsprop", "adam", "adamw"]

    /// The algorithm with PyTorch's defaults, by name; nil for an unknown name.
    public init?(defaultsFor name: String) {
        switch name {
        case "sgd": self = .sgd()
        case "adagrad": self = .adagrad()
        case "rmsprop": self = .rmsprop()
        case "adam": self = .adam()
        case "adamw": self = .adamw()
        default: return nil
        }
    }

    /// The buffers this algorithm keeps per parameter, in the contract's order: what a state
    /// carries after a step, and what `OptimizerState.issues` accepts.
    ///
    ///     sgd      momentumBuffer (momentum ≠ 0)
    ///     adagrad  sum
    ///     rmsprop  squareAvg, momentumBuffer (momentum > 0), gradAvg (centered)
    ///     adam     expAvg, expAvgSq        adamw  the same
    public var buffers: [StateBuffer] {
        switch self {
        case .sgd(let momentum, _, _):
            momentum != 0 ? [.momentumBuffer] : []
        case .adagrad:
            [.sum]
        case .rmsprop(_, _, let momentum, let centered):
            [.squareAvg] + (momentum > 0 ? [.momentumBuffer] : []) + (centered ? [.gradAvg] : [])
        case .adam, .adamw:
            [.expAvg, .expAvgSq]
        }
    }
}

// MARK: - Checking hyperparameters

/// A hyperparameter of some algorithm, by its API name (`beta1`, `beta2` are `betas[0]`, `betas[1]`).
public enum Hyperparameter: String, Sendable, Equatable {
    case momentum, dampening, nesterov, lrDecay, initialAccumulatorValue, eps, alpha, centered, beta1, beta2, weightDecay
}

/// One hyperparameter PyTorch would refuse, and why.
public struct HyperparameterIssue: Sendable, Equatable {
    public var hyperparameter: Hyperparameter
    public var message: String

    public init(_ hyperparameter: Hyperparameter, _ message: String) {
        self.hyperparameter = hyperparameter
        self.message = message
    }
}

extension OptimizerAlgorithm {
    /// Every hyperparameter PyTorch's constructor would refuse (its ValueErrors), plus non-finite
    /// numbers, which JSON cannot carry but a Swift caller can; empty when the algorithm is usable.
    ///
    ///     sgd      momentum ≥ 0; nesterov needs momentum > 0 and dampening = 0
    ///     adagrad  lrDecay ≥ 0, initialAccumulatorValue ≥ 0, eps ≥ 0
    ///     rmsprop  alpha ≥ 0, eps ≥ 0, momentum ≥ 0
    ///     adam(w)  0 ≤ beta1 < 1, 0 ≤ beta2 < 1, eps ≥ 0 (adamw: weightDecay ≥ 0)
    ///
    /// PyTorch checks neither dampening nor alpha against 1; neither does this.
    public var issues: [HyperparameterIssue] {
        var issues: [HyperparameterIssue] = []
        func atLeastZero(_ x: Double, _ h: Hyperparameter) {
            if !x.isFinite || x < 0 { issues.append(HyperparameterIssue(h, "expected a finite number ≥ 0, found \(x)")) }
        }
        func finite(_ x: Double, _ h: Hyperparameter) {
            if !x.isFinite { issues.append(HyperparameterIssue(h, "expected a finite number, found \(x)")) }
        }
        func beta(_ x: Double, _ h: Hyperparameter) {
            if !(x >= 0 && x < 1) { issues.append(HyperparameterIssue(h, "expected a number in [0, 1), found \(x)")) }
        }
        switch self {
        case .sgd(let momentum, let dampening, let nesterov):
            atLeastZero(momentum, .momentum)
            finite(dampening, .dampening)
            if nesterov && !(momentum > 0 && dampening == 0) {
                issues.append(HyperparameterIssue(.nesterov, "Nesterov momentum needs momentum > 0 and dampening 0, found momentum \(momentum) and dampening \(dampening)"))
            }
        case .adagrad(let lrDecay, let initial, let eps):
            atLeastZero(lrDecay, .lrDecay)
            atLeastZero(initial, .initialAccumulatorValue)
            atLeastZero(eps, .eps)
        case .rmsprop(let alpha, let eps, let momentum, _):
            atLeastZero(alpha, .alpha)
            atLeastZero(eps, .eps)
            atLeastZero(momentum, .momentum)
        case .adam(let beta1, let beta2, let eps):
            beta(beta1, .beta1)
            beta(beta2, .beta2)
            atLeastZero(eps, .eps)
        case .adamw(let beta1, let beta2, let eps, let weightDecay):
            beta(beta1, .beta1)
            beta(beta2, .beta2)
            atLeastZero(eps, .eps)
            atLeastZero(weightDecay, .weightDecay)
        }
        return issues
    }
}

// MARK: - The optimizer

/// Where a step first produced ±Infinity or NaN.
public struct NonFiniteUpdate: Sendable, Equatable {
    public var layer: Int
    public var parameter: ParameterKind
    /// nil: the parameter itself; otherwise the state buffer that overflowed.
    public var buffer: StateBuffer?

    public init(layer: Int, parameter: ParameterKind, buffer: StateBuffer? = nil) {
        self.layer = layer
        self.parameter = parameter
        self.buffer = buffer
    }
}

/// An update rule and its state: `torch.optim`'s optimizer object as a value, and the training
/// loop's one seam onto the update (`update`).
///
/// Copying the state out after any step and building a new optimizer from it continues exactly
/// where this one is (bit for bit): nothing else is remembered.
public struct Optimizer: Sendable, Equatable {
    /// The rule and its hyperparameters.
    public typealias Algorithm = OptimizerAlgorithm

    public var algorithm: OptimizerAlgorithm
    public var state: OptimizerState

    /// An optimizer for `algorithm`, continuing from `state` (fresh by default). Both must have
    /// passed their checks (`OptimizerAlgorithm.issues`, `OptimizerState.issues`).
    public init(_ algorithm: OptimizerAlgorithm = .plain, state: OptimizerState = OptimizerState()) {
        precondition(algorithm.issues.isEmpty, "unchecked hyperparameters: \(algorithm.issues)")
        precondition(state.step >= 0 && state.step <= OptimizerState.maxStep, "unchecked step \(state.step)")
        self.algorithm = algorithm
        self.state = state
    }

    /// An optimizer that has taken `step` steps and keeps no buffers yet.
    public init(_ algorithm: OptimizerAlgorithm = .plain, step: Int) {
        self.init(algorithm, state: OptimizerState(step: step))
    }

    /// Optimizer steps taken so far (PyTorch's `step`): `state.step`.
    public var step: Int {
        get { state.step }
        set { state.step = newValue }
    }

    /// Which buffers this algorithm keeps per parameter (for the wire and for shape checks).
    public var buffers: [StateBuffer] { algorithm.buffers }

    /// One optimizer step over every parameter of `network`, given ∂E/∂W and ∂E/∂b of each layer
    /// (with any regularization term already added to ∂E/∂W).
    ///
    ///     t ← t + 1                                      (state.step, PyTorch's step count)
    ///     for each layer l:  W(l), its buffers ← update(W(l), ∂E/∂W(l), t, η)
    ///                        b(l), its buffers ← update(b(l), ∂E/∂b(l), t, η)   (when updateBiases)
    ///
    /// Each parameter's rule is the algorithm's (OptimizerKernels.swift). With `updateBiases:
    /// false` the biases, and any bias state, stay exactly as they are, and no bias state is
    /// created. A fresh state gets one `LayerState` per layer on the first step. Updates happen in
    /// place (a copy first only where the arrays are shared).
    ///
    /// - Returns: the first parameter (lowest layer, weights before biases) whose new values or
    ///   buffers hold ±Infinity or NaN, or nil; the step is completed either way. Every written
    ///   element is checked in the loop that writes it, so the caller needs no pass of its own.
    @discardableResult
    public mutating func update(_ network: inout Network, weightGradients: [Matrix], biasGradients: [[Double]?],
                                learningRate: Double, updateBiases: Bool) -> NonFiniteUpdate? {
        precondition(weightGradients.count == network.layers.count && biasGradients.count == network.layers.count,
                     "one gradient per layer")
        return update(&network, learningRate: learningRate, updateBiases: updateBiases,
                      weightGradient: { weightGradients[$0] }, biasGradient: { biasGradients[$0] })
    }

    /// The same step with the gradients of a backward pass (`Network.gradients`).
    @discardableResult
    public mutating func update(_ network: inout Network, gradients: [LayerGradients], learningRate: Double, updateBiases: Bool) -> NonFiniteUpdate? {
        precondition(gradients.count == network.layers.count, "one gradient per layer")
        // Read in place: two arrays mapped out of `gradients` cost more than a tiny step's update.
        return update(&network, learningRate: learningRate, updateBiases: updateBiases,
                      weightGradient: { gradients[$0].weightGradients }, biasGradient: { gradients[$0].biasGradients })
    }

    /// The step itself, given layer l's ∂E/∂W and ∂E/∂b by `weightGradient(l)` and `biasGradient(l)`.
    private mutating func update(_ network: inout Network, learningRate: Double, updateBiases: Bool,
                                 weightGradient: (Int) -> Matrix, biasGradient: (Int) -> [Double]?) -> NonFiniteUpdate? {
        let layerCount = network.layers.count
        precondition(learningRate.isFinite && learningRate >= 0, "unchecked learning rate \(learningRate)")
        precondition(state.layers.isEmpty || state.layers.count == layerCount, "unchecked state: \(state.layers.count) layers for \(layerCount)")
        precondition(state.step < OptimizerState.maxStep, "step count at its limit")
        state.step += 1
        let scalars = StepScalars(algorithm, step: state.step, learningRate: learningRate)
        // An algorithm without buffers (plain descent) keeps no per-layer state at all, unless a
        // client sent some (a bias state carried through with frozen biases): no arrays to make.
        let keepsState = !algorithm.buffers.isEmpty || !state.layers.isEmpty
        if keepsState && state.layers.isEmpty {
            state.layers = Array(repeating: LayerState(), count: layerCount)
        }
        var firstNonFinite: NonFiniteUpdate?
        for l in 0..<layerCount {
            let dW = weightGradient(l)
            precondition(dW.rows == network.layers[l].weights.rows && dW.cols == network.layers[l].weights.cols, "∂E/∂W shaped like W")
            guard keepsState else {
                var none = ParameterState()
                if let bad = scalars.update(&network.layers[l].weights.storage, gradient: dW.storage, state: &none) {
                    firstNonFinite = firstNonFinite ?? NonFiniteUpdate(layer: l, parameter: .weights, buffer: bad.buffer)
                }
                if updateBiases, network.layers[l].biases != nil, let dB = biasGradient(l),
                   let bad = scalars.update(&network.layers[l].biases!, gradient: dB, state: &none) {
                    firstNonFinite = firstNonFinite ?? NonFiniteUpdate(layer: l, parameter: .biases, buffer: bad.buffer)
                }
                continue
            }
            if let bad = scalars.update(&network.layers[l].weights.storage, gradient: dW.storage, state: &state.layers[l].weights) {
                firstNonFinite = firstNonFinite ?? NonFiniteUpdate(layer: l, parameter: .weights, buffer: bad.buffer)
            }
            guard updateBiases, network.layers[l].biases != nil else { continue }
            guard let dB = biasGradient(l) else { preconditionFailure("a layer with biases needs ∂E/∂b") }
            var biasState = state.layers[l].biases.take() ?? ParameterState()
            if let bad = scalars.update(&network.layers[l].biases!, gradient: dB, state: &biasState) {
                firstNonFinite = firstNonFinite ?? NonFiniteUpdate(layer: l, parameter: .biases, buffer: bad.buffer)
            }
            state.layers[l].biases = biasState
        }
        return firstNonFinite
    }
}

// MARK: - The scalars of one step

/// What every parameter's update in one step shares, computed once per step as PyTorch computes
/// it per parameter (in Python floats, i.e. float64, with libm's pow).
struct StepScalars {
    let algorithm: OptimizerAlgorithm
    /// η.
    let lr: Double
    /// Adagrad: clr = η / (1 + (t − 1)·lrDecay).
    /// Adam, AdamW: step size η / (1 − β1^t).
    let rate: Double
    /// Adam, AdamW: √(1 − β2^t), as PyTorch's `bias_correction2 ** 0.5` (libm pow).
    let biasCorrection2Root: Double
    /// AdamW: 1 − η·λ, the decoupled decay's factor; 1 otherwise (w·1 = w exactly).
    let decay: Double

    init(_ algorithm: OptimizerAlgorithm, step t: Int, learningRate lr: Double) {
        self.algorithm = algorithm
        self.lr = lr
        let tt = Double(t)
        switch algorithm {
        case .adagrad(let lrDecay, _, _):
            rate = lr / (1 + (tt - 1) * lrDecay)
            biasCorrection2Root = 1
            decay = 1
        case .adam(let beta1, let beta2, _), .adamw(let beta1, let beta2, _, _):
            let biasCorrection1 = 1 - Double.pow(beta1, tt)
            let biasCorrection2 = 1 - Double.pow(beta2, tt)
            rate = lr / biasCorrection1
            biasCorrection2Root = Double.pow(biasCorrection2, 0.5)
            if case .adamw(_, _, _, let weightDecay) = algorithm { decay = 1 - lr * weightDecay } else { decay = 1 }
        case .sgd, .rmsprop:
            rate = lr
            biasCorrection2Root = 1
            decay = 1
        }
    }
}
