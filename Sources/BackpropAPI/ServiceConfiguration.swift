// What the API edge needs to know about its deployment: compute limits, the largest answer and
// the memory budget, CORS origins, how deeply request JSON may nest, where KaTeX is, and where to
// log what a request log line does not say (a refused CORS preflight). Set by the executable's
// flags; defaults are safe.

import MicroHTTP

/// Settings of the API edge (the HTTP transport has its own, in MicroHTTP).
public struct ServiceConfiguration: Sendable {
    /// Caps on one computation; past them a request answers 422.
    public var limits: Limits
    /// Origins allowed to call from a browser: exact origins like `http://localhost:3000`, or `*`,
    /// as checked by `ServiceConfiguration.checkedOrigins`. Empty (the default) sends no CORS
    /// headers and refuses every cross-origin preflight.
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
    /// Where the service writes a line worth an operator's attention (default: nowhere).
    public var log: @Sendable (String) -> Void
    /// Where Debian's libjs-katex installed KaTeX, served to the playground under /katex/.
    public var katexDirectory = "/usr/share/javascript/katex"

    public init(limits: Limits = .default, corsOrigins: [String] = [], maxJSONDepth: Int = 32,
                maxResponseBytes: Int = 64 << 20, maxMemoryBytes: Int = ProcessMemory.defaultBudgetBytes(),
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.limits = limits
        self.corsOrigins = corsOrigins
        self.maxJSONDepth = maxJSONDepth
        self.maxResponseBytes = maxResponseBytes
        self.maxMemoryBytes = maxMemoryBytes
        self.log = log
    }

    /// `--cors-origin` values checked as browsers send origins: `*` or `scheme://host[:port]`,
    /// each entry possibly a comma-separated list. Throws a message naming the bad origin.
    public static func checkedOrigins(_ list: [String]) throws(CORSOriginError) -> [String] {
        try CORSPolicy.checkedOrigins(list)
    }
}
