// A starting network from layer sizes and a seed (POST /init): random weights, zero biases,
// bit-identical on every machine because the generator is SplitMix64 and the arithmetic is only
// IEEE-exact operations (+ − × ÷ √). Not the system's random numbers, and no exp/log/cos anywhere.

/// How the initial weights of a layer with fan_in inputs and fan_out units are drawn.
///
///     xavier   (Glorot uniform, default)  w ~ U(−r, r),  r = √(6 / (fan_in + fan_out))
///     he       (He uniform)               w ~ U(−r, r),  r = √(6 / fan_in)
///     uniform  (PyTorch's nn.Linear default) w ~ U(−r, r),  r = 1 / √fan_in
///
/// All three are uniform, so that each weight is one uniform draw scaled by r: a normal draw
/// would need log and cos (Box–Muller), whose last bits differ between C libraries.
/// The variance of U(−r, r) is r²/3, so xavier gives 2/(fan_in + fan_out) and he 2/fan_in.
public enum InitScheme: String, CaseIterable, Sendable {
    case xavier
    case he
    case uniform

    /// r, the half-width of the interval, computed with one division and one correctly rounded square root.
    func bound(fanIn: Int, fanOut: Int) -> Double {
        switch self {
        case .xavier: (6 / Double(fanIn + fanOut)).squareRoot()
        case .he: (6 / Double(fanIn)).squareRoot()
        case .uniform: 1 / Double(fanIn).squareRoot()
        }
    }
}

/// What a starting network is made of: its sizes, activations, biases, scheme and seed.
public struct InitSpec: Sendable, Equatable {
    /// Inputs, then the units of each layer: `[2, 2, 2]` is 2 inputs, a hidden layer of 2, 2 outputs.
    /// At least two sizes, each at least 1.
    public var sizes: [Int]
    /// One activation per layer (`sizes.count − 1` of them).
    public var activations: [Activation]
    /// true gives every layer biases (all 0); false gives none (the textbook case).
    public var biases: Bool
    public var scheme: InitScheme
    public var seed: UInt64

    public init(sizes: [Int], activations: [Activation], biases: Bool = true, scheme: InitScheme = .xavier, seed: UInt64 = 0) {
        self.sizes = sizes
        self.activations = activations
        self.biases = biases
        self.scheme = scheme
        self.seed = seed
    }

    /// The same activation for every layer.
    public init(sizes: [Int], activation: Activation = .sigmoid, biases: Bool = true, scheme: InitScheme = .xavier, seed: UInt64 = 0) {
        self.init(sizes: sizes, activations: Array(repeating: activation, count: max(sizes.count - 1, 0)),
                  biases: biases, scheme: scheme, seed: seed)
    }

    /// Weights plus biases of the network it makes, or nil when that overflows Int: what a
    /// caller checks against its limits before asking for the network.
    public var parameterCount: Int? {
        var total = 0
        for l in 0..<max(sizes.count - 1, 0) {
            let (w, o1) = sizes[l].multipliedReportingOverflow(by: sizes[l + 1])
            let (p, o2) = total.addingReportingOverflow(w)
            let (q, o3) = p.addingReportingOverflow(biases ? sizes[l + 1] : 0)
            if o1 || o2 || o3 { return nil }
            total = q
        }
        return total
    }
}

/// A network with weights drawn by the spec's scheme from SplitMix64 seeded with `spec.seed`.
///
/// Draws are made layer by layer, row by row (unit j), and within a row input by input (i), so
/// `layers[l].weights[j][i]` is draw number Σ_{m<l} J_m·I_m + j·I_l + i (0-based). Each draw is
///
///     u = (x >> 11) · 2⁻⁵³        x the next SplitMix64 output; u ∈ [0, 1), 53 random bits
///     w = r · (2u − 1)            w ∈ [−r, r); 2u − 1 is exact, so only r and the product round
///
/// Biases are all 0 and take no draws, so `biases` does not change any weight.
public func initialNetwork(_ spec: InitSpec) -> Network {
    precondition(spec.sizes.count >= 2 && spec.sizes.allSatisfy { $0 >= 1 }, "at least two sizes, each at least 1")
    precondition(spec.activations.count == spec.sizes.count - 1, "one activation per layer")
    var random = SplitMix64(seed: spec.seed)
    var layers: [DenseLayer] = []
    for l in 0..<(spec.sizes.count - 1) {
        let i = spec.sizes[l], j = spec.sizes[l + 1]
        let r = spec.scheme.bound(fanIn: i, fanOut: j)
        var weights = Matrix(zeros: j, i)  // J×I: one row per unit
        for e in weights.storage.indices {
            weights.storage[e] = r * (2 * random.nextUnit() - 1)
        }
        let biases = spec.biases ? Array(repeating: 0.0, count: j) : nil
        layers.append(DenseLayer(weights: weights, biases: biases, activation: spec.activations[l]))
    }
    return Network(layers: layers)
}

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014),
/// the generator `java.util.SplittableRandom` uses: a Weyl sequence scrambled by two xor-shift-multiplies.
///
///     state ← state + 0x9E3779B97F4A7C15          (mod 2⁶⁴)
///     x ← (state ⊕ (state >> 30)) · 0xBF58476D1CE4E5B9
///     x ← (x ⊕ (x >> 27)) · 0x94D049BB133111EB
///     return x ⊕ (x >> 31)
///
/// Public so that tests and benchmarks draw their random networks from the same documented
/// generator instead of keeping copies of it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var x = state
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        return x ^ (x >> 31)
    }

    /// A double in [0, 1): the top 53 bits times 2⁻⁵³, exact.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A double in [lo, hi): lo + (hi − lo) · u, with u from `nextUnit`.
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * nextUnit()
    }
}
