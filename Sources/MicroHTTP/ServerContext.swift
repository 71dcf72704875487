// Everything libmicrohttpd's callbacks can reach through their `cls` pointer: settings, the
// handler, the in-flight count, and the birth and death of per-request state.
// It does not own the daemon; HTTPServer does, and keeps this object retained while it runs.
import Synchronization

/// Shared, immutable-or-synchronized state of one server, reachable from any MHD thread.
final class ServerContext: Sendable {
    let configuration: ServerConfiguration
    let handler: any HTTPHandler
    /// Requests between their request line and MHD's completion notice.
    let inFlight = Atomic<Int>(0)
    /// Requests being answered on a thread of their own, their connections suspended (Offload.swift).
    let offloaded = Atomic<Int>(0)
    /// Set by HTTPServer.stop before it waits for `offloaded` to reach 0: no request is offloaded after.
    let stopping = Atomic<Bool>(false)
    /// The last message libmicrohttpd logged: the best explanation when MHD_start_daemon fails.
    let lastLibraryMessage = Locked<String?>(nil)
    /// Request lines, batched (started and stopped with the daemon when `accessLog` is on).
    let accessLog = AccessLog()

    init(configuration: ServerConfiguration, handler: any HTTPHandler) {
        self.configuration = configuration
        self.handler = handler
    }

    // MARK: Request lifecycle (the only allocation and release of RequestState)

    /// Request line received: creates the request's state, to be kept by MHD in `*con_cls`
    /// until `endRequest`.
    func beginRequest(rawURI: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer {
        inFlight.wrappingAdd(1, ordering: .sequentiallyConsistent)
        return RequestState.allocate(rawURI: rawURI)
    }

    /// MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, failed, timed out, or the
    /// daemon stopped). Balances `beginRequest`.
    func endRequest(_ state: UnsafeMutableRawPointer) {
        RequestState.release(state)
        inFlight.wrappingSubtract(1, ordering: .sequentiallyConsistent)
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
