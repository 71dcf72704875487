// Caps on the size of one computation, checked before the core allocates anything, so that one
// request cannot take the machine. Defaults keep a request under about a second on 2 cores.

/// How much one request may ask of the core.
public struct Limits: Sendable, Equatable {
    /// Weights plus biases of the whole network.
    public var maxParameters: Int
    /// Samples in one batch.
    public var maxBatch: Int
    /// Gradient steps in one /step request.
    public var maxSteps: Int
    /// parameters × samples × passes (steps + 1 for the final loss): a proxy for floating-point
    /// work, about 6 flops each (2 forward, 4 backward).
    public var maxWork: Int

    public init(maxParameters: Int = 2_000_000, maxBatch: Int = 10_000, maxSteps: Int = 100_000, maxWork: Int = 1_000_000_000) {
        self.maxParameters = maxParameters
        self.maxBatch = maxBatch
        self.maxSteps = maxSteps
        self.maxWork = maxWork
    }

    public static let `default` = Limits()
}
