// Each optimizer against its algorithm as PyTorch's documentation writes it (the pseudo-code boxes
// of torch.optim.SGD, Adagrad, RMSprop, Adam and AdamW), carried out here element by element with
// libm, for several steps, with default and non-default hyperparameters. The references follow the
// documentation's formulas, not the implementation's rearrangements (√(v/(1−β2^t)) instead of
// √v/√(1−β2^t), m̂ divided out, β·m + (1−β)·g instead of lerp), so agreeing to 1e-12 says both
// compute the same algorithm. Plain SGD is checked bit for bit against w − η·g.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import Backprop

// MARK: - The documentation's algorithms, one parameter element at a time

/// One element's state in the documentation's symbols (b, state_sum, v, g^ave, m).
struct ReferenceElement {
    var theta: Double
    var b: Double? = nil         // momentum buffer (SGD, RMSprop)
    var stateSum: Double? = nil  // Adagrad
    var v: Double? = nil         // RMSprop square average; Adam second moment
    var gAve: Double? = nil      // centered RMSprop
    var m: Double? = nil         // Adam first moment
}

/// Step t (1-based) of `algorithm` with learning rate γ on one element, from the documentation.
func referenceStep(_ algorithm: OptimizerAlgorithm, _ x: inout ReferenceElement, g gt: Double, t: Int, gamma: Double) {
    switch algorithm {
    case .sgd(let mu, let tau, let nesterov):
        // if μ ≠ 0: b_t ← g_t at t = 1, else μ b_{t−1} + (1 − τ) g_t; g_t ← g_t + μ b_t (nesterov) or b_t
        // θ_t ← θ_{t−1} − γ g_t
        var g = gt
        if mu != 0 {
            let b = t > 1 ? mu * x.b! + (1 - tau) * g : g
            x.b = b
            g = nesterov ? g + mu * b : b
        }
        x.theta = x.theta - gamma * g
    case .adagrad(let eta, let initial, let eps):
        // state_sum_0 = initial_accumulator_value; γ̃ ← γ / (1 + (t − 1) η)
        // state_sum_t ← state_sum_{t−1} + g_t²;  θ_t ← θ_{t−1} − γ̃ g_t / (√state_sum_t + ε)
        let gammaTilde = gamma / (1 + Double(t - 1) * eta)
        let sum = (x.stateSum ?? initial) + gt * gt
        x.stateSum = sum
        x.theta = x.theta - gammaTilde * gt / (sqrt(sum) + eps)
    case .rmsprop(let alpha, let eps, let mu, let centered):
        // v_t ← α v_{t−1} + (1 − α) g_t²;  ṽ_t ← v_t
        // centered: g^ave_t ← g^ave_{t−1} α + (1 − α) g_t;  ṽ_t ← ṽ_t − (g^ave_t)²
        // μ > 0: b_t ← μ b_{t−1} + g_t / (√ṽ_t + ε);  θ_t ← θ_{t−1} − γ b_t
        // else:  θ_t ← θ_{t−1} − γ g_t / (√ṽ_t + ε)
        let v = alpha * (x.v ?? 0) + (1 - alpha) * gt * gt
        x.v = v
        var vTilde = v
        if centered {
            let gAve = (x.gAve ?? 0) * alpha + (1 - alpha) * gt
            x.gAve = gAve
            vTilde = vTilde - gAve * gAve
        }
        if mu > 0 {
            let b = mu * (x.b ?? 0) + gt / (sqrt(vTilde) + eps)
            x.b = b
            x.theta = x.theta - gamma * b
        } else {
            x.theta = x.theta - gamma * gt / (sqrt(vTilde) + eps)
        }
    case .adam(let beta1, let beta2, let eps):
        adamReference(&x, g: gt, t: t, gamma: gamma, beta1: beta1, beta2: beta2, eps: eps)
    case .adamw(let beta1, let beta2, let eps, let lambda):
        // θ_t ← θ_{t−1} − γ λ θ_{t−1}, then Adam's update of θ_t
        x.theta = x.theta - gamma * lambda * x.theta
        adamReference(&x, g: gt, t: t, gamma: gamma, beta1: beta1, beta2: beta2, eps: eps)
    }
}

/// m_t ← β1 m_{t−1} + (1 − β1) g_t;  v_t ← β2 v_{t−1} + (1 − β2) g_t²
/// m̂_t ← m_t / (1 − β1^t);  v̂_t ← v_t / (1 − β2^t);  θ_t ← θ_{t−1} − γ m̂_t / (√v̂_t + ε)
private func adamReference(_ x: inout ReferenceElement, g: Double, t: Int, gamma: Double, beta1: Double, beta2: Double, eps: Double) {
    let m = beta1 * (x.m ?? 0) + (1 - beta1) * g
    let v = beta2 * (x.v ?? 0) + (1 - beta2) * g * g
    x.m = m
    x.v = v
    let mHat = m / (1 - pow(beta1, Double(t)))
    let vHat = v / (1 - pow(beta2, Double(t)))
    x.theta = x.theta - gamma * mHat / (sqrt(vHat) + eps)
}

/// The reference element's value of a state buffer (PyTorch's key → the documentation's symbol).
func referenceBuffer(_ x: ReferenceElement, _ buffer: StateBuffer) -> Double? {
    switch buffer {
    case .momentumBuffer: x.b
    case .sum: x.stateSum
    case .squareAvg, .expAvgSq: x.v
    case .gradAvg: x.gAve
    case .expAvg: x.m
    }
}

// MARK: - Test networks and gradients

/// A network of odd-sized layers (so both the two-at-a-time loops and their one-element tails
/// run), biases on the first and last layer, weights in ±1.
func optimizerTestNetwork(_ rng: inout SplitMix64) -> Network {
    let shapes = [(5, 3), (4, 5), (3, 4)]  // (units, inputs)
    return Network(layers: shapes.enumerated().map { l, shape in
        DenseLayer(weights: Matrix(rows: shape.0, cols: shape.1, storage: rng.vector(shape.0 * shape.1, -1, 1)),
                   biases: l == 1 ? nil : rng.vector(shape.0, -0.5, 0.5))
    })
}

/// Gradients shaped like the network's parameters: mostly in ±1, some exactly 0 (a gradient the
/// buffers must still decay with), some in ±10.
func randomGradients(_ rng: inout SplitMix64, for network: Network) -> (weights: [Matrix], biases: [[Double]?]) {
    func value() -> Double {
        switch rng.int(0...9) {
        case 0: 0
        case 1: rng.uniform(-10, 10)
        default: rng.uniform(-1, 1)
        }
    }
    let weights = network.layers.map { layer in
        Matrix(rows: layer.weights.rows, cols: layer.weights.cols, storage: (0..<layer.weights.storage.count).map { _ in value() })
    }
    let biases = network.layers.map { layer in layer.biases.map { $0.map { _ in value() } } }
    return (weights, biases)
}

/// The hyperparameters every test runs: PyTorch's defaults and non-default ones, including the
/// lerp weights ≥ 0.5 (β1 = 0.3, α = 0.3) that take PyTorch's other lerp formula.
let optimizerCases: [(OptimizerAlgorithm, learningRate: Double)] = [
    (.sgd(), 0.1),
    (.sgd(momentum: 0.9), 0.05),
    (.sgd(momentum: 0.9, dampening: 0.1), 0.05),
    (.sgd(momentum: 0.8, nesterov: true), 0.05),
    (.sgd(momentum: 1.5, dampening: 0.5), 0.01),
    (.adagrad(), 0.1),
    (.adagrad(lrDecay: 0.1, initialAccumulatorValue: 0.5, eps: 1e-6), 0.3),
    (.rmsprop(), 0.01),
    (.rmsprop(centered: true), 0.01),
    (.rmsprop(momentum: 0.9), 0.01),
    (.rmsprop(alpha: 0.9, eps: 1e-6, momentum: 0.5, centered: true), 0.02),
    (.rmsprop(alpha: 0.3), 0.01),
    (.adam(), 0.01),
    (.adam(beta1: 0.3, beta2: 0.5, eps: 1e-3), 0.1),
    (.adam(beta1: 0, beta2: 0.9), 0.05),
    (.adamw(), 0.01),
    (.adamw(beta1: 0.8, beta2: 0.99, eps: 1e-6, weightDecay: 0.1), 0.05),
]

// MARK: - Tests

@Suite("Optimizers against PyTorch's documented algorithms")
struct OptimizerAlgorithmTests {
    /// Every parameter and every buffer after each of 6 steps agrees with the documentation's
    /// algorithm run on its own copy. Tolerance: relative 1e-12, with an absolute floor of 1e-14
    /// for values that cancel to near zero (β·m + (1−β)·g of opposite signs; the terms are at most
    /// ~10, so 1e-14 is a few ulps of them).
    @Test(arguments: optimizerCases.indices)
    func matchesTheDocumentedAlgorithm(_ c: Int) throws {
        let (algorithm, lr) = optimizerCases[c]
        var rng = SplitMix64(seed: 0x0971 + UInt64(c))
        var network = optimizerTestNetwork(&rng)
        var reference = network.layers.map { layer in
            (weights: layer.weights.storage.map { ReferenceElement(theta: $0) }, biases: layer.biases?.map { ReferenceElement(theta: $0) })
        }
        var optimizer = Optimizer(algorithm)
        for t in 1...6 {
            let (dW, dB) = randomGradients(&rng, for: network)
            let bad = optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: lr, updateBiases: true)
            #expect(bad == nil)
            #expect(optimizer.state.step == t)
            for l in reference.indices {
                for e in reference[l].weights.indices {
                    referenceStep(algorithm, &reference[l].weights[e], g: dW[l].storage[e], t: t, gamma: lr)
                }
                if reference[l].biases != nil {
                    for j in reference[l].biases!.indices {
                        referenceStep(algorithm, &reference[l].biases![j], g: dB[l]![j], t: t, gamma: lr)
                    }
                }
            }
            // Plain descent keeps no per-layer state at all; every other algorithm one entry per layer.
            #expect(optimizer.state.layers.count == (algorithm.buffers.isEmpty ? 0 : network.layers.count))
            for (l, layer) in network.layers.enumerated() {
                let state = optimizer.state.layers.isEmpty ? LayerState(biases: layer.biases.map { _ in ParameterState() }) : optimizer.state.layers[l]
                try expectMatches(layer.weights.storage, state.weights, reference[l].weights, algorithm, "\(algorithm) step \(t) layer \(l) weights")
                if let biases = layer.biases {
                    try expectMatches(biases, try #require(state.biases), reference[l].biases!, algorithm, "\(algorithm) step \(t) layer \(l) biases")
                } else {
                    #expect(state.biases == nil)
                }
            }
        }
    }

    private func expectMatches(_ values: [Double], _ state: ParameterState, _ reference: [ReferenceElement],
                               _ algorithm: OptimizerAlgorithm, _ what: String) throws {
        let close = { (a: Double, b: Double) in isClose(a, b, rel: 1e-12, abs: 1e-14) }
        #expect(zip(values, reference).allSatisfy { close($0, $1.theta) }, "\(what): θ")
        #expect(Set(state.present) == Set(algorithm.buffers), "\(what): buffers \(state.present)")
        for buffer in algorithm.buffers {
            let kept = try #require(state[buffer], "\(what): \(buffer.rawValue) missing")
            #expect(kept.count == values.count)
            #expect(zip(kept, reference).allSatisfy { close($0, referenceBuffer($1, buffer)!) }, "\(what): \(buffer.rawValue)")
        }
    }

    /// Plain SGD is w − η·g bit for bit: what requests without an optimizer have always computed
    /// (the golden files check the API; this checks the core against the formula, one multiply
    /// and one subtract per element, in layers with scalar tails).
    @Test(arguments: [0.1, 1.0, 0.37, 3e-5])
    func plainSGDIsExactlyDescent(_ lr: Double) {
        var rng = SplitMix64(seed: 0x5D6 &+ lr.bitPattern)
        var network = optimizerTestNetwork(&rng)
        let before = network
        let (dW, dB) = randomGradients(&rng, for: network)
        var optimizer = Optimizer()
        #expect(optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: lr, updateBiases: true) == nil)
        for (l, layer) in network.layers.enumerated() {
            let w = before.layers[l].weights.storage
            let expected = w.indices.map { w[$0] - lr * dW[l].storage[$0] }
            #expect(layer.weights.storage.map(\.bitPattern) == expected.map(\.bitPattern))
            if let b = before.layers[l].biases {
                #expect(layer.biases!.map(\.bitPattern) == b.indices.map { (b[$0] - lr * dB[l]![$0]).bitPattern })
            }
        }
        #expect(optimizer.state.layers.allSatisfy { $0.weights.isEmpty && ($0.biases?.isEmpty ?? true) })
    }

    /// With `updateBiases: false` biases stay bit for bit, get no state, and a bias state that
    /// came in is carried through unchanged; the weights move as usual.
    @Test func frozenBiasesStayAndGetNoState() throws {
        var rng = SplitMix64(seed: 0xB1A5)
        var network = optimizerTestNetwork(&rng)
        let before = network
        var optimizer = Optimizer(.adam())
        for _ in 0..<3 {
            let (dW, dB) = randomGradients(&rng, for: network)
            optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.01, updateBiases: false)
        }
        for (l, layer) in network.layers.enumerated() {
            #expect(layer.biases?.map(\.bitPattern) == before.layers[l].biases?.map(\.bitPattern))
            #expect(optimizer.state.layers[l].biases == nil)
            #expect(layer.weights != before.layers[l].weights)
            #expect(optimizer.state.layers[l].weights.present == [.expAvg, .expAvgSq])
        }
        // A bias state from earlier training survives a frozen step untouched.
        var carried = ParameterState()
        carried.expAvg = [0.1, 0.2, 0.3, 0.4, 0.5]
        carried.expAvgSq = [1, 2, 3, 4, 5]
        optimizer.state.layers[0].biases = carried
        let (dW, dB) = randomGradients(&rng, for: network)
        optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.01, updateBiases: false)
        #expect(optimizer.state.layers[0].biases == carried)
        #expect(optimizer.state.step == 4)
    }

    /// Overflow is reported where it happened, the parameter before its buffers: a huge gradient
    /// overflows Adam's v (g² > 1.8e308) while w stays finite (m / ∞ = 0); a huge step overflows
    /// plain SGD's w itself.
    @Test func nonFiniteUpdatesAreLocated() {
        var rng = SplitMix64(seed: 0x1F)
        var network = optimizerTestNetwork(&rng)
        var (dW, dB) = randomGradients(&rng, for: network)
        dW[1].storage[7] = 1e200
        var adam = Optimizer(.adam())
        #expect(adam.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.01, updateBiases: true)
                == NonFiniteUpdate(layer: 1, parameter: .weights, buffer: .expAvgSq))
        #expect(network.layers[1].weights.isFinite)

        (dW, dB) = randomGradients(&rng, for: network)
        dB[2]![2] = 1e300
        var sgd = Optimizer()
        #expect(sgd.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 1e10, updateBiases: true)
                == NonFiniteUpdate(layer: 2, parameter: .biases, buffer: nil))
    }

    /// An element's update does not depend on whether it ran two at a time or alone in a loop's
    /// tail: the same numbers one position further along (so that every element changes between
    /// the wide lanes and the one-by-one tail, or pairs up differently) give the same bits.
    @Test(arguments: optimizerCases.indices)
    func laneWidthChangesNoBit(_ c: Int) {
        let (algorithm, lr) = optimizerCases[c]
        var rng = SplitMix64(seed: 0x1A4E + UInt64(c))
        let w = rng.vector(7, -1, 1)
        let steps = (0..<4).map { _ in rng.vector(7, -2, 2) }
        /// Every parameter and buffer value of the 7 elements, as bits, after 4 steps with `lead`
        /// other elements in front of them.
        func run(lead: Int) -> [UInt64] {
            let front = Array(repeating: 0.25, count: lead)
            var network = Network(layers: [DenseLayer(weights: Matrix(rows: 1, cols: lead + 7, storage: front + w))])
            var optimizer = Optimizer(algorithm)
            for g in steps {
                let dW = Matrix(rows: 1, cols: lead + 7, storage: front + g)
                optimizer.update(&network, weightGradients: [dW], biasGradients: [nil], learningRate: lr, updateBiases: true)
            }
            let state = optimizer.state.layers.first?.weights ?? ParameterState()  // plain descent keeps none
            var out = network.layers[0].weights.storage.dropFirst(lead).map(\.bitPattern)
            for buffer in algorithm.buffers { out += state[buffer]!.dropFirst(lead).map(\.bitPattern) }
            return out
        }
        let alone = run(lead: 0)
        #expect(alone.count == 7 * (1 + algorithm.buffers.count))
        #expect(run(lead: 1) == alone)
        #expect(run(lead: 3) == alone)
    }

    /// The core's counterpart of the API's law: k steps with one optimizer equal k steps where
    /// every step starts from a new Optimizer built from the previous state, after that state and
    /// the network went through their wire form (buffers by name, copied arrays). Bit for bit.
    @Test(arguments: optimizerCases.indices)
    func stepsChainThroughTheState(_ c: Int) {
        let (algorithm, lr) = optimizerCases[c]
        var rng = SplitMix64(seed: 0xC4A1 + UInt64(c))
        let start = optimizerTestNetwork(&rng)
        let updateBiases = c % 3 != 2
        let gradients = (0..<5).map { _ in randomGradients(&rng, for: start) }

        var oneNetwork = start
        var one = Optimizer(algorithm)
        for (dW, dB) in gradients {
            one.update(&oneNetwork, weightGradients: dW, biasGradients: dB, learningRate: lr, updateBiases: updateBiases)
        }

        var chainedNetwork = start
        var state = OptimizerState()
        for (dW, dB) in gradients {
            var optimizer = Optimizer(algorithm, state: wireRoundTrip(state))
            var network = wireRoundTrip(chainedNetwork)
            optimizer.update(&network, weightGradients: dW, biasGradients: dB, learningRate: lr, updateBiases: updateBiases)
            state = optimizer.state
            chainedNetwork = network
        }
        #expect(bits(oneNetwork) == bits(chainedNetwork))
        #expect(bits(one.state) == bits(state))
        #expect(one.state.step == 5 && state.step == 5)
    }
}

// MARK: - Wire form and bits

/// The state as the edge would rebuild it from JSON: a fresh value, buffers set by name from
/// copies of the arrays.
func wireRoundTrip(_ state: OptimizerState) -> OptimizerState {
    func copy(_ p: ParameterState) -> ParameterState {
        var rebuilt = ParameterState()
        for buffer in StateBuffer.allCases {
            if let values = p[buffer] { rebuilt[buffer] = values.map { Double(bitPattern: $0.bitPattern) } }
        }
        return rebuilt
    }
    return OptimizerState(step: Int(Double(state.step)), layers: state.layers.map { LayerState(weights: copy($0.weights), biases: $0.biases.map(copy)) })
}

/// The network as the edge would rebuild it from JSON rows.
func wireRoundTrip(_ network: Network) -> Network {
    Network(layers: network.layers.map { layer in
        DenseLayer(weights: Matrix(rectangular: layer.weights.rowArrays), biases: layer.biases.map { Array($0) }, activation: layer.activation)
    })
}

/// Every number of a network, as bits (== on Double would call −0 and +0 equal).
func bits(_ network: Network) -> [UInt64] {
    network.layers.flatMap { $0.weights.storage.map(\.bitPattern) + ($0.biases ?? []).map(\.bitPattern) }
}

/// Every number of a state, as bits, with markers for which buffers exist where.
func bits(_ state: OptimizerState) -> [UInt64] {
    var out: [UInt64] = [UInt64(state.step)]
    for layer in state.layers {
        var parameters = [layer.weights]
        if let biases = layer.biases { parameters.append(biases) }
        for p in parameters {
            for buffer in StateBuffer.allCases {
                out.append(p[buffer] == nil ? 0xDEAD : 0xBEEF)
                out += p[buffer]?.map(\.bitPattern) ?? []
            }
        }
        out.append(layer.biases == nil ? 0 : 1)
    }
    return out
}
