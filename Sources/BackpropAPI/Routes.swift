// The route table: every path the service answers, its methods, and its operationId in
// openapi.yaml (the raw value). One exhaustive switch maps a request to its handler.

/// A route of the service. The raw value is the route's `operationId` in openapi.yaml.
public enum Route: String, CaseIterable, Sendable {
    case forward
    case gradients
    case step
    case explain
    case initialize = "init"
    case healthz
    case openapi
    case metrics

    public var path: String {
        switch self {
        case .forward: "/forward"
        case .gradients: "/gradients"
        case .step: "/step"
        case .explain: "/explain"
        case .initialize: "/init"
        case .healthz: "/healthz"
        case .openapi: "/openapi.yaml"
        case .metrics: "/metrics"
        }
    }

    /// The methods the route answers, OPTIONS (CORS preflight) included.
    public var allowedMethods: [String] {
        switch self {
        case .forward, .gradients, .step, .explain, .initialize: ["POST", "OPTIONS"]
        case .healthz, .openapi, .metrics: ["GET", "HEAD", "OPTIONS"]
        }
    }

    /// The route at a path: exact matches of `path` only, no prefixes.
    public init?(path: String) {
        guard let route = Route.byPath[path] else { return nil }
        self = route
    }

    private static let byPath = Dictionary(uniqueKeysWithValues: allCases.map { ($0.path, $0) })
}
