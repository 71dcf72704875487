// Settings for an HTTPServer, with safe defaults: loopback only, bounded bodies, bounded
// connections and an idle timeout (libmicrohttpd's own defaults are none of these).

/// How libmicrohttpd spreads connections over threads.
public enum ThreadModel: Sendable, Equatable {
    /// `threads` polling threads (poll) sharing all connections: fastest for tiny requests (no
    /// thread switch per request). A request the handler cannot answer quickly
    /// (`HTTPHandler.respondIfQuick`) is answered on a thread of its own, so it delays no other.
    case pool
    /// One thread per connection (poll): every request runs on its connection's thread, at a
    /// thread switch per request.
    case threadPerConnection
}

/// Everything `HTTPServer.start()` needs besides the handler.
public struct ServerConfiguration: Sendable {
    /// IPv4 dotted quad or IPv6 literal (e.g. `"127.0.0.1"`, `"0.0.0.0"`, `"::1"`). No names.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 lets the kernel pick a free one (`start()` returns it).
    public var port: Int = 8080
    /// Polling threads in `.pool` mode; ignored for `.threadPerConnection`.
    public var threads: Int = 2
    public var threadModel: ThreadModel = .pool
    /// Largest body buffered for the handler; larger ones go to `bodyTooLarge`.
    public var maxBodyBytes: Int = 32 << 20
    /// A connection idle this long is closed (0 would mean never: don't).
    public var connectionTimeoutSeconds: Int = 30
    /// Connections open at once, all clients together.
    public var connectionLimit: Int = 512
    /// Connections open at once from one IP address.
    public var perIPConnectionLimit: Int = 128
    /// One line per answered request on stderr: `POST /step 200 0.42ms 1234B`.
    public var accessLog: Bool = true

    public init() {}
}
