// What the API edge needs to know about its deployment: compute limits, CORS origins and how
// deeply request JSON may nest. Set by the executable's flags; defaults are safe.

import Backprop

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
    /// Where Debian's libjs-katex installed KaTeX, served to the playground under /katex/.
    public var katexDirectory = "/usr/share/javascript/katex"

    public init(limits: Limits = .default, corsOrigins: [String] = [], maxJSONDepth: Int = 32) {
        self.limits = limits
        self.corsOrigins = corsOrigins
        self.maxJSONDepth = maxJSONDepth
    }
}
