// An HTTP request as the application sees it: a plain value, built by the server once the whole
// body has arrived, or directly by tests of the layers above. It holds no C types and no socket.

/// One HTTP request with its complete body.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. `"GET"`, `"POST"`.
    public var method: String
    /// The URL path without the query, percent-decoded by libmicrohttpd, e.g. `"/step"`.
    public var path: String
    /// The raw query string (after `?`, not decoded), or nil when the URL has no `?`.
    public var query: String?
    /// Header fields in arrival order; names are lowercased, values are as sent.
    public var headers: HTTPHeaders
    /// The body bytes, de-chunked. Empty when there is no body.
    public var body: [UInt8]
    /// Requests the server had in flight when this one was handed over, this one included
    /// (0 for requests built outside a server). Lets a health check report load without the
    /// application holding a reference to the server.
    public var requestsInFlight: Int = 0
    /// The server's metrics (nil for requests built outside a server): what GET /metrics renders.
    public var metrics: ServerMetrics?

    public init(
        method: String,
        path: String,
        query: String? = nil,
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        // Names lowercased, as for requests from the wire.
        self.init(method: method, path: path, query: query, headers: HTTPHeaders(headers), body: body)
    }

    /// A request from the wire: its headers already in their buffer, so none is built to be
    /// replaced (the public initializer makes HTTPHeaders from an array of pairs, even an empty one).
    init(method: String, path: String, query: String?, headers: HTTPHeaders, body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// The value of the first header field called `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.value(named: name)
    }
}
