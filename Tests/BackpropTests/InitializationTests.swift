// initialNetwork: reproducible to the bit (golden values computed independently in Python), the
// scale each scheme promises, and the shapes. Checks of sizes, names and limits are the API
// edge's (BackpropAPITests, WireTests).
// Not the API's JSON for /init: that is BackpropAPITests' business.

import Testing
@testable import Backprop

@Suite("Initialization")
struct InitializationTests {
    /// Every weight and bias as bit patterns, so equality means bit-identical (−0 ≠ +0, NaN = NaN).
    private static func bits(_ n: Network) -> [[UInt64]] {
        n.layers.map { $0.weights.storage.map(\.bitPattern) + ($0.biases ?? []).map(\.bitPattern) }
    }

    // MARK: - The generator

    /// The reference outputs of SplitMix64 for seed 1234567 (as in Vigna's splitmix64.c test
    /// and java.util.SplittableRandom), re-derived with the Python script in the report.
    @Test func splitMixMatchesTheReferenceSequence() {
        var g = SplitMix64(seed: 1_234_567)
        #expect(g.next() == 0x599E_D017_FB08_FC85)
        #expect(g.next() == 0x2C73_F084_5854_0FA5)
        #expect(g.next() == 0x883E_BCE5_A3F2_7C77)
        var h = SplitMix64(seed: 42)
        #expect(h.next() == 13_679_457_532_755_275_413)
        #expect(h.next() == 2_949_826_092_126_892_291)
    }

    // MARK: - Reproducibility

    @Test func sameSeedGivesTheSameNetworkBitForBit() throws {
        let spec = InitSpec(sizes: [5, 7, 3, 2], activations: [.tanh, .relu, .softmax], scheme: .he, seed: 987_654_321)
        let a = initialNetwork(spec), b = initialNetwork(spec)
        #expect(Self.bits(a) == Self.bits(b))
        #expect(a == b)
    }

    @Test func differentSeedsGiveDifferentNetworks() throws {
        var spec = InitSpec(sizes: [4, 3, 2], seed: 1)
        let a = initialNetwork(spec)
        spec.seed = 2
        let b = initialNetwork(spec)
        #expect(a.layers[0].weights != b.layers[0].weights)
        #expect(a.layers[1].weights != b.layers[1].weights)
    }

    /// Computed with an independent Python implementation (SplitMix64, u = (x >> 11)·2⁻⁵³,
    /// w = r·(2u − 1), r from the scheme); `repr` of each float64.
    @Test(arguments: [
        ("xavier", [0.5917106927682431, -0.833046004275145, -0.5423142605038267, -0.3816532417057464,
                    -1.1315903636359403, 0.9019708965055099, -0.6897635896230203, 0.7363946983633833]),
        ("he", [0.836805286714029, -1.1781049573266253, -0.7669481822728474, -0.5397391905439235,
                -1.6003104393046492, 1.2755794747039113, -0.9754730232760253, 1.041419369685141]),
        ("uniform", [0.34162432775212503, -0.4809593348155971, -0.3131052842872572, -0.22034760183590596,
                     -0.6533240010575967, 0.5207531398986642, -0.39823519414605335, 0.4251576773299126]),
    ])
    func goldenWeightsForSeed42(scheme: String, expected: [Double]) throws {
        let network = initialNetwork(InitSpec(sizes: [2, 2, 2], scheme: InitScheme(rawValue: scheme)!, seed: 42))
        let weights = network.layers.flatMap(\.weights.storage)
        #expect(weights.map(\.bitPattern) == expected.map(\.bitPattern))
    }

    @Test func goldenWeightsAcrossUnequalLayers() throws {
        let network = initialNetwork(InitSpec(sizes: [3, 4, 1], scheme: .he, seed: 7))
        #expect(Array(network.layers[0].weights.storage.prefix(5)) ==
                [-0.3116085279902403, -1.3667290947514303, 1.1335223795602536, 0.23456229026376593, -0.13451463415109])
    }

    @Test func biasesDoNotChangeTheWeights() throws {
        let with = initialNetwork(InitSpec(sizes: [3, 4, 2], biases: true, seed: 5))
        let without = initialNetwork(InitSpec(sizes: [3, 4, 2], biases: false, seed: 5))
        #expect(zip(with.layers, without.layers).allSatisfy { $0.weights == $1.weights })
    }

    @Test func defaultSchemeIsXavier() throws {
        let implicit = initialNetwork(InitSpec(sizes: [3, 2], seed: 9))
        let explicit = initialNetwork(InitSpec(sizes: [3, 2], scheme: .xavier, seed: 9))
        #expect(Self.bits(implicit) == Self.bits(explicit))
    }

    // MARK: - Scale

    /// A 400-input, 300-unit layer: 120 000 weights, all within [−r, r], with the variance r²/3
    /// of U(−r, r) to within 5% and a mean near 0.
    @Test(arguments: InitScheme.allCases)
    func scaleMatchesTheScheme(scheme: InitScheme) throws {
        let network = initialNetwork(InitSpec(sizes: [400, 300], scheme: scheme, seed: 2024))
        let r: Double = switch scheme {
        case .xavier: (6.0 / 700).squareRoot()
        case .he: (6.0 / 400).squareRoot()
        case .uniform: 1 / (400.0).squareRoot()
        }
        let w = network.layers[0].weights.storage
        #expect(w.count == 120_000)
        #expect(w.allSatisfy { -r <= $0 && $0 <= r })
        let mean = w.reduce(0, +) / Double(w.count)
        let variance = w.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(w.count - 1)
        #expect(abs(mean) < 0.01 * r)
        #expect(abs(variance / (r * r / 3) - 1) < 0.05)
        // The draws fill the interval: both ends are approached.
        #expect(w.max()! > 0.99 * r && w.min()! < -0.99 * r)
    }

    // MARK: - Shapes and activations

    @Test func shapesFollowTheSizes() throws {
        let network = initialNetwork(InitSpec(sizes: [3, 5, 2], activations: [.tanh, .softmax], seed: 1))
        #expect(network.layers.count == 2)
        #expect(network.layers[0].weights.rows == 5 && network.layers[0].weights.cols == 3)
        #expect(network.layers[1].weights.rows == 2 && network.layers[1].weights.cols == 5)
        #expect(network.layers[0].biases == [0, 0, 0, 0, 0])
        #expect(network.layers[1].biases == [0, 0])
        #expect(network.layers.map(\.activation) == [.tanh, .softmax])
        #expect(network.parameterCount == 3 * 5 + 5 + 5 * 2 + 2)
    }

    @Test func oneActivationAppliesToEveryLayer() throws {
        let network = initialNetwork(InitSpec(sizes: [2, 3, 3, 1], activation: .leakyRelu, biases: false, seed: 3))
        #expect(network.layers.map(\.activation) == [.leakyRelu, .leakyRelu, .leakyRelu])
        #expect(network.layers.allSatisfy { $0.biases == nil })
    }

    @Test func theNetworkIsReadyForAForwardPass() throws {
        let network = initialNetwork(InitSpec(sizes: [2, 4, 3], activations: [.relu, .softmax], seed: 11))
        let problem = try Problem(network: network, inputs: Matrix(rectangular: [[0.5, -1]]), targets: Matrix(rectangular: [[0, 1, 0]]),
                              loss: .crossEntropy)
        let g = try problem.gradients()
        #expect(g.loss.isFinite && g.loss > 0)
    }
}
