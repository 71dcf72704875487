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
    // The playground (issue 15): the page at /, its own files, and Debian's KaTeX with its fonts.
    // The file routes' paths are openapi.yaml's templates; a request matches them by prefix.
    case playground
    case playgroundFile
    case katex
    case katexFont
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
        case .playground: "/"
        case .playgroundFile: "/playground/{file}"
        case .katex: "/katex/{file}"
        case .katexFont: "/katex/fonts/{file}"
        case .metrics: "/metrics"
        }
    }

    /// The methods the route answers, OPTIONS (CORS preflight) included: one list per kind of
    /// route, made once, since every request checks its method against it (an array literal here
    /// was an allocation a request).
    public var allowedMethods: [String] {
        switch self {
        case .forward, .gradients, .step, .explain, .initialize: Route.computingMethods
        case .healthz, .openapi, .metrics, .playground, .playgroundFile, .katex, .katexFont: Route.readingMethods
        }
    }

    private static let computingMethods = ["POST", "OPTIONS"]
    private static let readingMethods = ["GET", "HEAD", "OPTIONS"]

    /// The routes of the API proper, as a 404 lists them: the playground's are for browsers, and
    /// leaving them out keeps the 404 answer what it was before the playground.
    public static let apiRoutes = allCases.filter { !$0.isPlayground }

    /// A route of the playground: the page, its files, KaTeX.
    public var isPlayground: Bool {
        switch self {
        case .playground, .playgroundFile, .katex, .katexFont: true
        case .forward, .gradients, .step, .explain, .initialize, .healthz, .openapi, .metrics: false
        }
    }

    /// The route at a path: exact matches of `path`, and for the file routes any path under their
    /// folder (which file, if any, is the file route's answer to give).
    public init?(path: String) {
        guard let route = Route.exact(path) ?? Route.fileRoute(path) else { return nil }
        self = route
    }

    /// The route whose `path` is exactly `path`: a scan of a dozen short strings, each compared as
    /// inline bytes. A hash table of the paths cost about 450 instructions a lookup, and a request
    /// looks its route up three times (its metrics label, its admission, its handler). Lengths
    /// first: two different strings' `==` calls the standard library's slow comparison, and most
    /// candidates differ in length.
    private static func exact(_ path: String) -> Route? {
        let length = path.utf8.count
        for (candidate, route) in paths where candidate.utf8.count == length && candidate == path { return route }
        return nil
    }

    private static let paths = allCases.map { ($0.path, $0) }

    /// The file route whose folder holds `path` (the deepest: /katex/fonts/ before /katex/).
    private static func fileRoute(_ path: String) -> Route? {
        if path.hasPrefix("/playground/") { return .playgroundFile }
        if path.hasPrefix("/katex/fonts/") { return .katexFont }
        if path.hasPrefix("/katex/") { return .katex }
        return nil
    }
}
