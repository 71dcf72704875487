// Answering a heavy request off the polling thread. In the pool thread model one thread serves
// many connections, so a request the handler cannot answer quickly is handed to a thread of its
// own: MHD suspends the connection (it is not polled meanwhile), the thread computes the
// response and resumes the connection, and MHD then calls the access handler again on the
// polling thread, which queues the response (MHD responses are queued only from there).
internal import CMicroHTTPD
import Glibc

/// The response of an offloaded request, handed from its thread to the polling thread.
typealias PendingResponse = Locked<HTTPResponse?>

/// An MHD connection that a worker thread may resume. @unchecked: OpaquePointer is not
/// Sendable, but the only call made through it off the polling thread is MHD_resume_connection,
/// which libmicrohttpd allows from any thread.
struct SuspendedConnection: @unchecked Sendable {
    let pointer: OpaquePointer
}

extension ServerContext {
    /// Suspends `connection` and computes `request`'s response on a new thread, which resumes
    /// the connection once the response is in `pending`. Returns false, touching nothing, when
    /// the server is stopping: the caller then answers on this thread.
    ///
    /// Counted in `offloaded` until the resume is done, because MHD_stop_daemon must not run while
    /// a connection is suspended (it panics) nor before a worker's last call into MHD. The count
    /// goes up before `stopping` is read and `stop` sets `stopping` before it reads the count
    /// (both sequentially consistent), so either `stop` waits for this request or this request
    /// sees `stopping` and is not suspended.
    func offload(_ request: HTTPRequest, connection: OpaquePointer, into pending: PendingResponse) -> Bool {
        offloaded.wrappingAdd(1, ordering: .sequentiallyConsistent)
        if stopping.load(ordering: .sequentiallyConsistent) {
            offloaded.wrappingSubtract(1, ordering: .sequentiallyConsistent)
            return false
        }
        MHD_suspend_connection(connection)
        let suspended = SuspendedConnection(pointer: connection)
        let work: @Sendable () -> Void = {
            let response = self.handler.respond(to: request)
            pending.withLock { $0 = response }
            MHD_resume_connection(suspended.pointer)
            self.offloaded.wrappingSubtract(1, ordering: .sequentiallyConsistent)
        }
        // No thread to be had (resource limits): answer here rather than not at all. The
        // resume still goes through MHD, which calls the access handler for the answer.
        if !DetachedThread.start(work) { work() }
        return true
    }
}

/// A detached POSIX thread running one closure. A thread per heavy request, like the
/// thread-per-connection model, but only for requests that need it (each runs a millisecond or
/// more, so creating the thread, some tens of microseconds, does not show).
enum DetachedThread {
    private final class Work {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new detached thread; false if the system refused one.
    static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        let work = Unmanaged.passRetained(Work(body))
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { context in
            Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().body()
            return nil
        }, work.toOpaque())
        if started != 0 { work.release() }
        return started == 0
    }
}
