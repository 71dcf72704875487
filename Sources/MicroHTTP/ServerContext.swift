// Everything libmicrohttpd's callbacks can reach through their `cls` pointer: settings, the
// handler, the scheduler and its workers, the metrics, and the birth and death of per-request
// state. It does not own the daemon; HTTPServer does, and keeps this object retained while it runs.
import Synchronization

/// Shared, immutable-or-synchronized state of one server, reachable from any MHD thread.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let handler: any HTTPHandler
    let metrics: ServerMetrics
    let scheduler: Scheduler
    let workers: WorkerPool
    /// Requests between their request line and their completion (the answer sent, or the
    /// connection gone): what shutdown drains. `metrics.inFlight` counts them until answered.
    let open = Atomic<Int>(0)
    /// Set while HTTPServer.shutdown waits for the open requests: the last one to complete
    /// wakes it (`drained`), instead of it polling the count.
    let draining = Atomic<Bool>(false)
    let drained = Monitor<Void>(())
    /// The last message libmicrohttpd logged: the best explanation when MHD_start_daemon fails.
    let lastLibraryMessage = Locked<String?>(nil)
    /// Request lines, batched (started and stopped with the daemon when `accessLog` is on).
    let accessLog = AccessLog()

    init(configuration: ServerConfiguration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
        metrics = ServerMetrics(memoryBudgetBytes: configuration.maxMemoryBytes, workers: configuration.workers)
        scheduler = Scheduler(
            budget: configuration.maxMemoryBytes, perClient: configuration.memoryPerClientBytes,
            maxQueue: configuration.maxQueue,
            inlineWork: configuration.inlineWork, workers: configuration.workers, metrics: metrics)
        workers = WorkerPool(scheduler: scheduler)
    }

    // MARK: Request lifecycle (the only allocation and release of RequestState)

    /// Request line received: creates the request's state, to be kept by MHD in `*con_cls`
    /// until `endRequest`.
    func beginRequest(rawURI: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer {
        open.wrappingAdd(1, ordering: .sequentiallyConsistent)
        metrics.inFlight.wrappingAdd(1, ordering: .relaxed)
        return RequestState.allocate(rawURI: rawURI)
    }

    /// MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, failed, timed out, or the
    /// daemon stopped). Balances `beginRequest`, and gives its memory back to the budget.
    func endRequest(_ pointer: UnsafeMutableRawPointer) {
        let left = open.wrappingSubtract(1, ordering: .sequentiallyConsistent).newValue
        let state = RequestState.at(pointer)
        if !state.pointee.countedOut { metrics.inFlight.wrappingSubtract(1, ordering: .relaxed) }
        var reserved = state.pointee.reserved
        if case .parked(let parked) = state.pointee.phase {
            reserved = scheduler.take(parked).holding  // completed while parked: only when MHD stops
        }
        // A body that never became a computation (answered at once, refused, or abandoned while
        // arriving or parked) still counts against its client's share until here.
        let (claimed, client) = (state.pointee.claimed, state.pointee.client)
        RequestState.release(pointer)
        scheduler.release(reserved, claimed: claimed, by: client ?? .unknown)
        if left == 0 && draining.load(ordering: .sequentiallyConsistent) {
            drained.broadcast()
        }
    }

    // MARK: Messages from libmicrohttpd

    /// MHD_OPTION_EXTERNAL_LOGGER: prefix and forward to stderr, and keep for error reports.
    func libraryMessage(_ message: String) {
        var text = Substring(message)
        while text.last == "\n" { text = text.dropLast() }
        lastLibraryMessage.withLock { $0 = String(text) }
        StandardError.writeLine("libmicrohttpd: \(text)")
    }
}
