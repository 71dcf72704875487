// The command line of backprop-server. Every flag can also come from an environment variable
// (BACKPROP_ + the flag in upper snake case); a flag given on the command line wins.

import ArgumentParser
import Backprop
import BackpropAPI
import Glibc
import MicroHTTP

struct ServerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backprop-server",
        abstract: "Backpropagation over HTTP: send a network with inputs and targets, get every quantity of the backward pass.",
        discussion: """
            Routes: POST /forward, /gradients, /step, /explain, /init; GET /healthz, /metrics, /openapi.yaml,
            and the playground at GET / (open http://HOST:PORT/ in a browser).
            Every option can also be set by an environment variable, named after the option:
            BACKPROP_HOST, BACKPROP_PORT, BACKPROP_THREADS, BACKPROP_MAX_BODY_BYTES, … (the command
            line wins). Prints "listening on http://HOST:PORT" once ready; logs go to standard error.
            SIGTERM or SIGINT stops accepting, finishes requests in flight, and exits 0.
            """
    )

    @Option(help: "Address to bind. Default 127.0.0.1 (this machine only); 0.0.0.0 for all interfaces. [env BACKPROP_HOST]")
    var host: String?

    @Option(help: "TCP port; 0 picks a free one (the real port is printed). Default 8080. [env BACKPROP_PORT]")
    var port: Int?

    @Option(help: "Polling threads: they share all connections, read requests and answer the small ones. Default: twice the number of CPU cores. [env BACKPROP_THREADS]")
    var threads: Int?

    @Option(help: "Worker threads for computations (any request over about 0.2 ms of work). Default: the number of CPU cores. [env BACKPROP_WORKERS]")
    var workers: Int?

    @Option(help: "Memory budget for requests in flight, in bytes (suffixes K, M, G, Ki, Mi, Gi allowed). A request that does not fit waits in the queue or gets 503 with Retry-After, its body unread. Default: 3/4 of the cgroup's memory limit, else 1/2 of physical memory. [env BACKPROP_MAX_MEMORY]")
    var maxMemory: String?

    @Option(help: "Most of the memory budget one client address (an IPv6 client's /64) may hold for request bodies still arriving, in bytes (suffixes allowed); past it, its further requests get 503 with Retry-After, their bodies unread. A client holding nothing may always start one body. Default: 1/4 of --max-memory. [env BACKPROP_MAX_MEMORY_PER_CLIENT]")
    var maxMemoryPerClient: String?

    @Option(help: "Requests that may wait for memory or a worker at once; more get 503. Default 32. [env BACKPROP_MAX_QUEUE]")
    var maxQueue: Int?

    @Option(help: "Largest response a request may ask for, in bytes (suffixes allowed). Default 67108864 (64 MiB). [env BACKPROP_MAX_RESPONSE_BYTES]")
    var maxResponseBytes: String?

    @Option(help: "Largest request body in bytes; larger ones get 413. Default 33554432 (32 MiB). [env BACKPROP_MAX_BODY_BYTES]")
    var maxBodyBytes: Int?

    @Option(help: "Most parameters (weights + biases) in one network. Default 2000000. [env BACKPROP_MAX_PARAMETERS]")
    var maxParameters: Int?

    @Option(help: "Most samples in one batch. Default 10000. [env BACKPROP_MAX_BATCH]")
    var maxBatch: Int?

    @Option(help: "Most gradient steps in one /step request. Default 100000. [env BACKPROP_MAX_STEPS]")
    var maxSteps: Int?

    @Option(help: "Most work in one request: passes × ((parameters + 45 × units) × samples + 4096 × layers), passes = steps + 1. Default 1000000000 (about a second). [env BACKPROP_MAX_WORK]")
    var maxWork: Int?

    @Option(help: "Origins allowed to call from a browser, comma-separated (or repeat the option), each scheme://host[:port] exactly as browsers send it (no path, no trailing slash); * allows any. Default none: cross-origin preflights get 403. [env BACKPROP_CORS_ORIGIN]")
    var corsOrigin: [String] = []

    @Option(help: "libmicrohttpd's memory per connection, in bytes: it holds a request's head (a head over about 14 KB gets 431 at the default) and the read buffer; libmicrohttpd clears it for every request. Default 16384. [env BACKPROP_CONNECTION_MEMORY]")
    var connectionMemory: String?

    @Option(help: "Seconds an idle connection is kept open. Default 30. [env BACKPROP_CONNECTION_TIMEOUT]")
    var connectionTimeout: Int?

    @Option(help: "Bytes per second a request body must average once it has taken --connection-timeout seconds (suffixes allowed): an upload may take that long plus one second per this many bytes, else its connection is closed. 0 for no floor. Default 16384 (128 kbit/s). [env BACKPROP_UPLOAD_MIN_RATE]")
    var uploadMinRate: String?

    @Option(help: "Most simultaneous connections. Default 512. [env BACKPROP_MAX_CONNECTIONS]")
    var maxConnections: Int?

    @Option(help: "Most simultaneous connections from one IP address. Default 128. [env BACKPROP_MAX_CONNECTIONS_PER_IP]")
    var maxConnectionsPerIp: Int?

    @Option(help: "Seconds to wait for requests in flight on SIGTERM/SIGINT. Default 30. [env BACKPROP_SHUTDOWN_TIMEOUT]")
    var shutdownTimeout: Int?

    @Flag(help: "Do not log one line per request to standard error. [env BACKPROP_QUIET=1]")
    var quiet = false

    @Option(help: "Directory of Debian's libjs-katex, served to the playground at /katex/. Default /usr/share/javascript/katex. [env BACKPROP_KATEX_DIRECTORY]")
    var katexDirectory: String?

    func run() throws {
        let env = Environment()
        // ServerConfiguration's defaults, except threads (twice the cores) and workers (the cores).
        var http = ServerConfiguration()
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        http.host = host ?? env.string("BACKPROP_HOST") ?? http.host
        http.port = try checked("port", port ?? env.int("BACKPROP_PORT") ?? http.port, 0...65535)
        // Twice the cores: with as many as the cores, small /step requests ran at 0.68-0.78 of the
        // C server's rate; with twice, 0.82-0.95 (../shared/bench/compare, same hour).
        http.threads = try checked("threads", threads ?? env.int("BACKPROP_THREADS") ?? 2 * cores, 1...1024)
        // One per core: computations are CPU-bound (BLAS runs one thread per request), so more
        // would only share the cores and hold more memory at once.
        http.workers = try checked("workers", workers ?? env.int("BACKPROP_WORKERS") ?? cores, 1...1024)
        http.maxMemoryBytes = try checked("max-memory", ByteCount.parse(option: "max-memory", maxMemory ?? env.string("BACKPROP_MAX_MEMORY")) ?? http.maxMemoryBytes, (1 << 20)...Int.max)
        http.maxMemoryPerClientBytes = try ByteCount.parse(option: "max-memory-per-client", maxMemoryPerClient ?? env.string("BACKPROP_MAX_MEMORY_PER_CLIENT"))
            .map { try checked("max-memory-per-client", $0, 1...Int.max) }
        http.maxQueue = try checked("max-queue", maxQueue ?? env.int("BACKPROP_MAX_QUEUE") ?? http.maxQueue, 0...100_000)
        http.maxBodyBytes = try checked("max-body-bytes", maxBodyBytes ?? env.int("BACKPROP_MAX_BODY_BYTES") ?? http.maxBodyBytes, 1...(1 << 40))
        http.connectionMemoryBytes = try checked("connection-memory", ByteCount.parse(option: "connection-memory", connectionMemory ?? env.string("BACKPROP_CONNECTION_MEMORY")) ?? http.connectionMemoryBytes, 4096...(16 << 20))
        http.connectionTimeoutSeconds = try checked("connection-timeout", connectionTimeout ?? env.int("BACKPROP_CONNECTION_TIMEOUT") ?? http.connectionTimeoutSeconds, 1...86_400)
        http.uploadMinBytesPerSecond = try checked("upload-min-rate", ByteCount.parse(option: "upload-min-rate", uploadMinRate ?? env.string("BACKPROP_UPLOAD_MIN_RATE")) ?? http.uploadMinBytesPerSecond, 0...Int.max)
        http.connectionLimit = try checked("max-connections", maxConnections ?? env.int("BACKPROP_MAX_CONNECTIONS") ?? http.connectionLimit, 1...100_000)
        http.perIPConnectionLimit = try checked("max-connections-per-ip", maxConnectionsPerIp ?? env.int("BACKPROP_MAX_CONNECTIONS_PER_IP") ?? http.perIPConnectionLimit, 1...100_000)
        http.accessLog = !(quiet || env.string("BACKPROP_QUIET").map { $0 == "1" || $0 == "true" } == true)

        let defaults = Limits.default
        let limits = Limits(
            maxParameters: try checked("max-parameters", maxParameters ?? env.int("BACKPROP_MAX_PARAMETERS") ?? defaults.maxParameters, 1...Int.max),
            maxBatch: try checked("max-batch", maxBatch ?? env.int("BACKPROP_MAX_BATCH") ?? defaults.maxBatch, 1...Int.max),
            maxSteps: try checked("max-steps", maxSteps ?? env.int("BACKPROP_MAX_STEPS") ?? defaults.maxSteps, 1...Int.max),
            maxWork: try checked("max-work", maxWork ?? env.int("BACKPROP_MAX_WORK") ?? defaults.maxWork, 1...Int.max)
        )
        let origins: [String]
        do {
            origins = try ServiceConfiguration.checkedOrigins(corsOrigin.isEmpty ? env.string("BACKPROP_CORS_ORIGIN").map { [$0] } ?? [] : corsOrigin)
        } catch {
            throw ValidationError(error.description)
        }
        let drainSeconds = try checked("shutdown-timeout", shutdownTimeout ?? env.int("BACKPROP_SHUTDOWN_TIMEOUT") ?? 30, 0...3600)

        // Block the stop signals before any server thread exists, so every thread inherits the
        // mask and only sigwait below receives them.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

        // One BLAS thread per request: requests already run on every core.
        BLAS.configure(threads: 1)
        Allocator.configure()

        let maxResponse = try checked("max-response-bytes", ByteCount.parse(option: "max-response-bytes", maxResponseBytes ?? env.string("BACKPROP_MAX_RESPONSE_BYTES")) ?? (64 << 20), 1...Int.max)
        var serviceConfiguration = ServiceConfiguration(limits: limits, corsOrigins: origins, maxResponseBytes: maxResponse,
                                                        maxMemoryBytes: http.maxMemoryBytes, log: logLine)
        serviceConfiguration.katexDirectory = katexDirectory ?? env.string("BACKPROP_KATEX_DIRECTORY") ?? serviceConfiguration.katexDirectory
        let service = BackpropService(configuration: serviceConfiguration)
        let server = HTTPServer(configuration: http, handler: service)
        let boundPort: Int
        do {
            boundPort = try server.start()
        } catch {
            throw ServerStartFailure(message: "backprop-server: \(error)")  // HTTPServerError says what and where
        }
        let shownHost = http.host.contains(":") ? "[\(http.host)]" : http.host
        logLine(origins.isEmpty ? "backprop-server: CORS: no origin allowed (--cors-origin); cross-origin preflights get 403"
                                : "backprop-server: CORS: allowed origins: \(origins.joined(separator: ", "))")
        print("listening on http://\(shownHost):\(boundPort)")
        fflush(nil)  // all streams: the line must reach a pipe before anyone waits on it

        var received: Int32 = 0
        sigwait(&stopSignals, &received)
        logLine("backprop-server: signal \(received): no new connections; finishing \(server.inFlightRequests) request(s) in flight")
        let drained = server.shutdown(timeoutSeconds: Double(drainSeconds))
        logLine(drained ? "backprop-server: stopped cleanly" : "backprop-server: stopped with requests still in flight after \(drainSeconds) s")
    }

    private func checked(_ name: String, _ value: Int, _ range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else {
            throw ValidationError("--\(name) must be in \(range.lowerBound)…\(range.upperBound), found \(value)")
        }
        return value
    }
}

/// A start-up failure printed as one line, exit status 1.
struct ServerStartFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Environment variables, read with the same checks as flags.
struct Environment {
    func string(_ name: String) -> String? {
        guard let p = getenv(name) else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    func int(_ name: String) throws -> Int? {
        guard let s = string(name) else { return nil }
        guard let v = Int(s.trimmed) else { throw ValidationError("\(name) must be a whole number, found \"\(s)\"") }
        return v
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}

/// One line to standard error.
func logLine(_ line: String) {
    var bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
