// HTTPServer: starts libmicrohttpd with safe options, reports the bound port, counts in-flight
// requests, and stops gracefully. It owns the daemon; it knows nothing of routes or payloads.
internal import CMicroHTTPD
import Glibc

/// An HTTP/1.1 server on libmicrohttpd's threads, answering through an `HTTPHandler`.
/// Single-use: start once, shut down once.
public final class HTTPServer: Sendable {
    private let context: ServerContext
    private let lifecycle = Monitor<Lifecycle>(.notStarted)

    public init(configuration: ServerConfiguration, handler: any HTTPHandler) {
        context = ServerContext(configuration: configuration, handler: handler)
    }

    /// Starts listening and returns the bound port (the real one when `port` is 0).
    public func start() throws -> Int {
        try lifecycle.withLock { state in
            guard case .notStarted = state else { throw HTTPServerError.alreadyStarted }
            let running = try startDaemon()
            state = .running(running)
            return Int(CMicroHTTPD_bound_port(running.daemon))
        }
    }

    /// Requests between their request line and completion (including uploads in progress).
    public var inFlightRequests: Int {
        context.open.load(ordering: .sequentiallyConsistent)
    }

    /// The server's counters, as GET /metrics shows them.
    public var metrics: ServerMetrics { context.metrics }

    /// Graceful stop: stop accepting connections at once, serve the requests in flight (uploads
    /// and queued ones included) until `timeoutSeconds` passes, then answer 503 to those still
    /// waiting for memory or a worker, let the computations running finish (each is bounded by
    /// the handler's limits), stop the daemon, closing whatever is left (uploads still arriving),
    /// and close the listening socket. Returns true when nothing was cut off or shed.
    /// Safe to call more than once and from any thread, but not from inside a handler.
    public func shutdown(timeoutSeconds: Double) -> Bool {
        // Clamped so that NaN, negative or infinite timeouts cannot trap in the conversion.
        let milliseconds = Int64(min(max(0, timeoutSeconds), 1e9) * 1000)
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        let claimed: RunningDaemon? = lifecycle.withLock { state in
            switch state {
            case .running(let running):
                state = .stopping
                return running
            case .notStarted:
                state = .stopped(drained: true)
                return nil
            case .stopping, .stopped:
                return nil
            }
        }
        guard let running = claimed else { return awaitOtherShutdown() }

        // Quiesce: MHD stops accepting but keeps serving accepted connections. The socket stays
        // open until MHD's threads are gone (closing it under them could recycle the fd number
        // mid-poll); meanwhile the kernel may queue a few connections, reset on close.
        let listenSocket = MHD_quiesce_daemon(running.daemon)
        let drained = waitUntilNoRequestsInFlight(deadline: deadline)
        if !drained && context.scheduler.busy {
            // The 503s to what waited and the last computations' answers need a moment to go out
            // before MHD closes their connections: a little longer, not unboundedly.
            finishComputations()
            _ = waitUntilNoRequestsInFlight(deadline: .now + .milliseconds(500))
        }
        stop(running)
        if listenSocket >= 0 { close(listenSocket) }  // after quiesce it is ours to close
        lifecycle.withLock { $0 = .stopped(drained: drained) }
        lifecycle.broadcast()
        return drained
    }

    deinit {
        // Dropped without shutdown: stop at once, since callbacks must not outlive the context.
        let leftover: RunningDaemon? = lifecycle.withLock { state in
            if case .running(let running) = state { return running }
            return nil
        }
        if let leftover { stop(leftover) }
    }
}

// MARK: - Daemon lifecycle

/// The started daemon plus the context retain it holds. @unchecked: OpaquePointer is not
/// Sendable, but the daemon is used only under `lifecycle`'s lock or by the one thread that
/// moved it out of `.running`; MHD's own functions on it are thread-safe.
struct RunningDaemon: @unchecked Sendable {
    let daemon: OpaquePointer
    let retainedContext: Unmanaged<ServerContext>
}

enum Lifecycle: Sendable {
    case notStarted
    case running(RunningDaemon)
    case stopping
    case stopped(drained: Bool)
}

extension HTTPServer {
    /// Validates the configuration and starts MHD with our callbacks and options.
    fileprivate func startDaemon() throws -> RunningDaemon {
        let configuration = context.configuration
        try configuration.validate()
        guard let address = SocketAddress(host: configuration.host, port: UInt16(configuration.port)) else {
            throw HTTPServerError.invalidHost(configuration.host)
        }
        _ = installPanicHandlerOnce

        // Released in `stop`, after MHD_stop_daemon, or right here if the start fails.
        let retained = Unmanaged.passRetained(context)
        let started = address.withSockaddrPointer { sockaddr in
            CMicroHTTPD_start_daemon(
                configuration.daemonFlags(ipv6: address.isIPv6),
                UInt16(configuration.port),
                sockaddr,
                microHTTPAccessHandler,
                microHTTPRequestStarted,
                microHTTPRequestCompleted,
                microHTTPLogMessage,
                retained.toOpaque(),
                UInt32(configuration.connectionTimeoutSeconds),
                UInt32(configuration.connectionLimit),
                UInt32(configuration.perIPConnectionLimit),
                configuration.threadPoolSize,
                configuration.connectionMemoryBytes)
        }
        guard let daemon = started else {
            retained.release()
            let reason = context.lastLibraryMessage.withLock { $0 } ?? "MHD_start_daemon failed"
            throw HTTPServerError.startFailed(
                host: configuration.host, port: configuration.port, reason: reason)
        }
        guard context.workers.start(configuration.workers) else {
            MHD_stop_daemon(daemon)
            retained.release()
            throw HTTPServerError.startFailed(
                host: configuration.host, port: configuration.port, reason: "no worker thread could be created")
        }
        if configuration.accessLog { context.accessLog.start() }
        return RunningDaemon(daemon: daemon, retainedContext: retained)
    }

    /// Closes the scheduler (what still waits gets 503) and joins the workers (what runs
    /// finishes), so that no connection is suspended and no worker calls into MHD any more: MHD
    /// panics on stopping with a suspended connection. Then MHD_stop_daemon joins MHD's threads
    /// and completes every open request (NOTIFY_COMPLETED fires for each), so only afterwards is
    /// the context's retain released.
    fileprivate func stop(_ running: RunningDaemon) {
        finishComputations()
        MHD_stop_daemon(running.daemon)
        context.accessLog.stop()  // after MHD: the last requests' lines are in by now
        running.retainedContext.release()
    }

    /// Answers 503 to every request waiting for memory or a worker, lets the workers finish what
    /// they compute and leave, and waits until every connection has been resumed.
    fileprivate func finishComputations() {
        context.scheduler.close()
        context.workers.join()
        context.scheduler.waitUntilIdle()
    }

    /// Sleeps until the last request in flight completes (endRequest wakes it) or the deadline
    /// passes; false if the deadline came first.
    fileprivate func waitUntilNoRequestsInFlight(deadline: ContinuousClock.Instant) -> Bool {
        context.draining.store(true, ordering: .sequentiallyConsistent)
        defer { context.draining.store(false, ordering: .sequentiallyConsistent) }
        let context = context
        return context.drained.wait(
            until: { _ in context.open.load(ordering: .sequentiallyConsistent) == 0 },
            deadline: deadline) { _ in true } ?? false
    }

    /// Another caller is already shutting down: wait for its verdict rather than guess.
    fileprivate func awaitOtherShutdown() -> Bool {
        lifecycle.wait(until: { if case .stopped = $0 { true } else { false } }) { state in
            if case .stopped(let drained) = state { return drained }
            return false
        } ?? false
    }
}
