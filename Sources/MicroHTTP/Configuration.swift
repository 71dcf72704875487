// Settings for an HTTPServer, with safe defaults: loopback only, bounded bodies, bounded
// connections, an idle timeout, a memory budget and a bounded queue (libmicrohttpd's own
// defaults are none of these). The scheduling policy is these numbers, and nothing else.

/// Everything `HTTPServer.start()` needs besides the handler.
public struct ServerConfiguration: Sendable {
    /// IPv4 dotted quad or IPv6 literal (e.g. `"127.0.0.1"`, `"0.0.0.0"`, `"::1"`). No names.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 lets the kernel pick a free one (`start()` returns it).
    public var port: Int = 8080
    /// Polling threads: they share all connections, read requests, run `prepare` and small
    /// computations, and send responses.
    public var threads: Int = 2
    /// Worker threads: they run the computations larger than `inlineWork`, one at a time each.
    public var workers: Int = 1
    /// Computations of at most this much work (the handler's units, for Backprop about a
    /// nanosecond each) run on the polling thread: handing them to a worker would cost more than
    /// they do. 200 000 is about 0.2 ms.
    public var inlineWork: Int = 200_000
    /// The memory budget for requests, in bytes: the sum of their reservations
    /// (`HTTPHandler.admissionBytes`, then `ComputationCost.memoryBytes`) never exceeds it.
    public var maxMemoryBytes: Int = ProcessMemory.defaultBudgetBytes()
    /// The most of the budget one client address (an IPv6 client's /64) may hold for bodies still
    /// arriving, announced or waiting to be read; past it, its further requests get 503
    /// (`client_share`) before their bodies are read. A client holding nothing else may always
    /// start one body. nil: a quarter of `maxMemoryBytes`, so that stalled uploads from one
    /// address leave three quarters to the others until the idle timeout closes them.
    public var maxMemoryPerClientBytes: Int?
    /// `maxMemoryPerClientBytes`, or its default.
    public var memoryPerClientBytes: Int { maxMemoryPerClientBytes ?? max(1, maxMemoryBytes / 4) }
    /// Requests that may wait at once, for memory or for a worker; past it, 503.
    public var maxQueue: Int = 32
    /// Largest body buffered for the handler; larger ones go to `bodyTooLarge`.
    public var maxBodyBytes: Int = 32 << 20
    /// libmicrohttpd's memory pool per connection (MHD_OPTION_CONNECTION_MEMORY_LIMIT): it holds
    /// the request head and the read buffer, so it bounds the head's size (larger gets 431). MHD
    /// clears the pool for every request, so a smaller one makes small requests cheaper: a small
    /// /step cost 132k instructions with 32 KiB (MHD's default), 106k with 16 KiB (heads up to
    /// about 14 KB), 92k with 8 KiB (heads up to about 7 KB) (scripts/request-instructions.sh).
    /// 16 KiB, as Node's header limit: 8 KiB limits broke real clients with large cookies there.
    public var connectionMemoryBytes: Int = 16 << 10
    /// A connection idle this long is closed (0 would mean never: don't).
    public var connectionTimeoutSeconds: Int = 30
    /// Bytes per second an admitted upload must average once it has taken
    /// `connectionTimeoutSeconds`: a body may take that long plus a second per this many bytes,
    /// else its connection is closed (UploadPace). 0: no floor. 16 KiB/s (128 kbit/s) is below
    /// any real uplink, yet a client must spend that much bandwidth per upload to keep holding
    /// its reservation, where a trickle of a byte a second held it for ever.
    public var uploadMinBytesPerSecond: Int = 16 << 10
    /// The pace an upload must keep, from the two numbers above.
    var uploadPace: UploadPace {
        UploadPace(graceSeconds: connectionTimeoutSeconds, minBytesPerSecond: uploadMinBytesPerSecond)
    }
    /// Connections open at once, all clients together.
    public var connectionLimit: Int = 512
    /// Connections open at once from one IP address.
    public var perIPConnectionLimit: Int = 128
    /// One line per answered request on stderr: `POST /step 200 0.42ms 1234B`.
    public var accessLog: Bool = true

    public init() {}
}
