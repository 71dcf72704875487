// What the edge relies on before it builds an Optimizer: PyTorch's defaults and names, the
// hyperparameters PyTorch refuses, and every way a state sent back by a client can fail to fit
// the network (each located, so the edge can point into /optimizer).

import Testing
@testable import Backprop

@Suite("Optimizer hyperparameters and state checks")
struct OptimizerStateTests {
    /// The defaults of torch.optim, written out from its documentation (the signatures of SGD,
    /// Adagrad, RMSprop, Adam and AdamW), and the names the API uses.
    @Test func defaultsAreTorchOptims() {
        #expect(OptimizerAlgorithm(defaultsFor: "sgd") == .sgd(momentum: 0, dampening: 0, nesterov: false))
        #expect(OptimizerAlgorithm(defaultsFor: "adagrad") == .adagrad(lrDecay: 0, initialAccumulatorValue: 0, eps: 1e-10))
        #expect(OptimizerAlgorithm(defaultsFor: "rmsprop") == .rmsprop(alpha: 0.99, eps: 1e-8, momentum: 0, centered: false))
        #expect(OptimizerAlgorithm(defaultsFor: "adam") == .adam(beta1: 0.9, beta2: 0.999, eps: 1e-8))
        #expect(OptimizerAlgorithm(defaultsFor: "adamw") == .adamw(beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01))
        #expect(OptimizerAlgorithm(defaultsFor: "Adam") == nil)
        #expect(OptimizerAlgorithm(defaultsFor: "lbfgs") == nil)
        for name in OptimizerAlgorithm.names {
            #expect(OptimizerAlgorithm(defaultsFor: name)?.name == name)
            #expect(OptimizerAlgorithm(defaultsFor: name)?.issues == [])
        }
        #expect(OptimizerAlgorithm.plain == .sgd(momentum: 0, dampening: 0, nesterov: false))
    }

    /// The contract's table of buffers, and PyTorch's state keys.
    @Test func buffersFollowTheContractsTable() {
        #expect(OptimizerAlgorithm.sgd().buffers == [])
        #expect(OptimizerAlgorithm.sgd(momentum: 0.9).buffers == [.momentumBuffer])
        #expect(OptimizerAlgorithm.adagrad().buffers == [.sum])
        #expect(OptimizerAlgorithm.rmsprop().buffers == [.squareAvg])
        #expect(OptimizerAlgorithm.rmsprop(momentum: 0.5, centered: true).buffers == [.squareAvg, .momentumBuffer, .gradAvg])
        #expect(OptimizerAlgorithm.adam().buffers == [.expAvg, .expAvgSq])
        #expect(OptimizerAlgorithm.adamw().buffers == [.expAvg, .expAvgSq])
        #expect(StateBuffer.allCases.map(\.rawValue) == ["momentumBuffer", "sum", "squareAvg", "gradAvg", "expAvg", "expAvgSq"])
        #expect(StateBuffer.allCases.map(\.pytorchKey) == ["momentum_buffer", "sum", "square_avg", "grad_avg", "exp_avg", "exp_avg_sq"])
    }

    /// The contract's invalid inputs (nesterov without momentum or with dampening, betas outside
    /// [0, 1), a negative eps) and PyTorch's other ValueErrors, each naming its hyperparameter.
    @Test func refusedHyperparametersAreNamed() {
        func refused(_ a: OptimizerAlgorithm) -> [Hyperparameter] { a.issues.map(\.hyperparameter) }
        #expect(refused(.sgd(nesterov: true)) == [.nesterov])
        #expect(refused(.sgd(momentum: 0.9, dampening: 0.1, nesterov: true)) == [.nesterov])
        #expect(refused(.sgd(momentum: 0.9, nesterov: true)) == [])
        #expect(refused(.sgd(momentum: -0.1)) == [.momentum])
        #expect(refused(.sgd(momentum: 0.5, dampening: 2)) == [])  // PyTorch does not bound dampening
        #expect(refused(.adam(beta1: 1)) == [.beta1])
        #expect(refused(.adam(beta2: -0.01)) == [.beta2])
        #expect(refused(.adam(beta1: 0, beta2: 0)) == [])
        #expect(refused(.adamw(eps: -1e-8, weightDecay: -1)) == [.eps, .weightDecay])
        #expect(refused(.adagrad(lrDecay: -1, initialAccumulatorValue: -1, eps: -1)) == [.lrDecay, .initialAccumulatorValue, .eps])
        #expect(refused(.rmsprop(alpha: -0.5, eps: .nan, momentum: .infinity)) == [.alpha, .eps, .momentum])
        #expect(OptimizerAlgorithm.adam(beta1: 1).issues[0].message == "expected a number in [0, 1), found 1.0")
    }

    static func network() -> Network {
        Network(layers: [
            DenseLayer(weights: Matrix(rows: 3, cols: 2, storage: [1, 2, 3, 4, 5, 6]), biases: [0, 0, 0]),
            DenseLayer(weights: Matrix(rows: 1, cols: 3, storage: [1, 2, 3]), biases: nil),
        ])
    }

    /// A state with all of Adam's buffers for both layers' weights and the first layer's biases.
    static func adamState() -> OptimizerState {
        func full(_ n: Int) -> ParameterState {
            var p = ParameterState()
            p.expAvg = Array(repeating: 0.1, count: n)
            p.expAvgSq = Array(repeating: 0.2, count: n)
            return p
        }
        return OptimizerState(step: 7, layers: [LayerState(weights: full(6), biases: full(3)), LayerState(weights: full(3))])
    }

    @Test func fittingStatesPass() {
        let network = Self.network()
        #expect(OptimizerState().issues(for: .adam(), network: network) == [])
        #expect(OptimizerState(step: 12).issues(for: .sgd(), network: network) == [])
        #expect(Self.adamState().issues(for: .adam(), network: network) == [])
        #expect(Self.adamState().issues(for: .adamw(weightDecay: 0.5), network: network) == [])
        // Empty parameter states (no buffers yet) fit any algorithm.
        let empty = OptimizerState(step: 3, layers: [LayerState(weights: ParameterState(), biases: ParameterState()), LayerState()])
        #expect(empty.issues(for: .rmsprop(momentum: 0.9, centered: true), network: network) == [])
    }

    @Test func misfitsAreLocated() {
        let network = Self.network()
        var s = Self.adamState()
        s.step = -1
        #expect(s.issues(for: .adam(), network: network) == [StateIssue(.step, "expected a step count from 0 to 9007199254740992, found -1")])

        s = Self.adamState()
        s.layers.removeLast()
        #expect(s.issues(for: .adam(), network: network).map(\.location) == [.layers])

        s = Self.adamState()
        s.layers[0].weights.expAvg!.removeLast()
        #expect(s.issues(for: .adam(), network: network)
                == [StateIssue(.buffer(layer: 0, .weights, .expAvg), "expected one number per weight (3×2), found 5 numbers")])

        s = Self.adamState()
        s.layers[0].biases!.expAvgSq = [1, 2]
        #expect(s.issues(for: .adam(), network: network).map(\.location) == [.buffer(layer: 0, .biases, .expAvgSq)])

        // Another algorithm's buffers, and momentumBuffer without momentum, are refused.
        #expect(Self.adamState().issues(for: .sgd(momentum: 0.9), network: network).count == 6)
        var sgd = OptimizerState(step: 1, layers: [LayerState(), LayerState()])
        sgd.layers[1].weights.momentumBuffer = [0, 0, 0]
        #expect(sgd.issues(for: .sgd(), network: network)
                == [StateIssue(.buffer(layer: 1, .weights, .momentumBuffer), "sgd with these hyperparameters keeps no momentumBuffer (its buffers: none)")])
        #expect(sgd.issues(for: .sgd(momentum: 0.5), network: network) == [])

        // Some but not all of the algorithm's buffers.
        s = Self.adamState()
        s.layers[1].weights.expAvgSq = nil
        #expect(s.issues(for: .adam(), network: network)
                == [StateIssue(.parameter(layer: 1, .weights), "has expAvg but not expAvgSq; send all of adam's buffers or none")])

        // Bias state for a layer without biases.
        s = Self.adamState()
        s.layers[1].biases = Self.adamState().layers[0].biases
        #expect(s.issues(for: .adam(), network: network).map(\.location) == [.parameter(layer: 1, .biases)])

        // Non-finite numbers (a Swift caller can make them).
        s = Self.adamState()
        s.layers[0].weights.expAvgSq![4] = .infinity
        #expect(s.issues(for: .adam(), network: network)
                == [StateIssue(.buffer(layer: 0, .weights, .expAvgSq), "expected finite numbers, found inf at element 4")])
    }

    /// A fresh optimizer's first step makes one LayerState per layer, bias state only where the
    /// layer has biases, and the buffers PyTorch initializes: SGD's momentum buffer is a clone of
    /// the gradient, Adagrad's sum starts at the initial accumulator value, the rest at zero.
    @Test func firstStepCreatesPyTorchsInitialState() throws {
        let dW = [Matrix(rows: 3, cols: 2, storage: [1, -2, 0, 0.5, 3, -1]), Matrix(rows: 1, cols: 3, storage: [0.25, 0, -4])]
        let dB: [[Double]?] = [[1, 2, 3], nil]

        var network = Self.network()
        var sgd = Optimizer(.sgd(momentum: 0.9, dampening: 0.5))
        sgd.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.1, updateBiases: true)
        #expect(sgd.state.layers.count == 2)
        #expect(sgd.state.layers[0].weights.momentumBuffer == dW[0].storage)  // the clone, no dampening yet
        #expect(sgd.state.layers[0].biases?.momentumBuffer == [1, 2, 3])
        #expect(sgd.state.layers[1].biases == nil)

        network = Self.network()
        var adagrad = Optimizer(.adagrad(initialAccumulatorValue: 0.5))
        adagrad.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.1, updateBiases: true)
        #expect(adagrad.state.layers[1].weights.sum == [0.5 + 0.0625, 0.5, 0.5 + 16])

        network = Self.network()
        var rmsprop = Optimizer(.rmsprop(alpha: 0.75, momentum: 0.1, centered: true))
        rmsprop.update(&network, weightGradients: dW, biasGradients: dB, learningRate: 0.1, updateBiases: true)
        let p = rmsprop.state.layers[1].weights
        #expect(p.squareAvg == [0.25 * 0.0625, 0, 0.25 * 16])   // (1 − α)·g² from 0
        #expect(p.gradAvg == [0.25 * 0.25, 0, 0.25 * -4])        // (1 − α)·g from 0
        #expect(try #require(p.momentumBuffer).count == 3)
        #expect(p.present == [.momentumBuffer, .squareAvg, .gradAvg])
    }
}
