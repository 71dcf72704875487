// What the API edge needs to know about its deployment: compute limits, CORS origins and how
// deeply request JSON may nest. Set by the executable's flags; defaults are safe.

import Backprop
import MicroHTTP

/// Settings of the API edge (the HTTP transport has its own, in MicroHTTP).
public struct ServiceConfiguration: Sendable {
    /// Caps on one computation; past them a request answers 422.
    public var limits: Limits
    /// Origins allowed to call from a browser: exact origins like `http://localhost:3000`, or `*`.
    /// Empty (the default) sends no CORS headers, so browsers on other origins are refused.
    public var corsOrigins: [String]
    /// How deeply request JSON may nest; the deepest legitimate body (a weight matrix in a
    /// network: body, network, layers, layer, weights, row) nests 6 levels.
    public var maxJSONDepth: Int
    /// The largest response a request may ask for; past it, 422 before any computation (the
    /// edge's estimate: units × samples × fields). 64 MiB: twice the largest body by default.
    public var maxResponseBytes: Int
    /// The server's memory budget for requests (MicroHTTP's `maxMemoryBytes`, set from the same
    /// flag): a request whose estimated memory exceeds it could never run, so it gets a 422
    /// rather than 503s forever.
    public var maxMemoryBytes: Int

    public init(limits: Limits = .default, corsOrigins: [String] = [], maxJSONDepth: Int = 32,
                maxResponseBytes: Int = 64 << 20, maxMemoryBytes: Int = ProcessMemory.defaultBudgetBytes()) {
        self.limits = limits
        self.corsOrigins = corsOrigins
        self.maxJSONDepth = maxJSONDepth
        self.maxResponseBytes = maxResponseBytes
        self.maxMemoryBytes = maxMemoryBytes
    }
}
