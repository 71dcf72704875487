// Why an HTTPServer could not start. Request-level failures never surface here: they become
// HTTP responses (from the handler, or from libmicrohttpd itself for malformed requests).

/// An error from `HTTPServer.start()`.
public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    /// `host` is not an IPv4 or IPv6 literal.
    case invalidHost(String)
    /// A configuration value is out of range; the string says which.
    case invalidConfiguration(String)
    /// `start()` was called on a server that was already started (servers are single-use).
    case alreadyStarted
    /// libmicrohttpd refused to start, e.g. because the port is in use; `reason` is its message.
    case startFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidHost(let host):
            return "invalid host \"\(host)\": expected an IPv4 or IPv6 address literal"
        case .invalidConfiguration(let what):
            return "invalid server configuration: \(what)"
        case .alreadyStarted:
            return "the server was already started; create a new HTTPServer"
        case .startFailed(let host, let port, let reason):
            return "cannot listen on \(host) port \(port): \(reason)"
        }
    }
}
