// A request's connection as the threads that do not own it may use it: to resume it once its
// connection is suspended, and to ask whether its client is still there. Nothing else: reading,
// writing and queueing responses stay on the polling thread (ConnectionIO).
internal import CMicroHTTPD
import Glibc

/// An MHD connection and its socket. @unchecked Sendable: OpaquePointer is not Sendable, but
/// the only calls made through it off the polling thread are MHD_resume_connection, which MHD
/// allows from any thread, and poll(2) on the socket, which MHD does not close while the
/// connection is suspended (it neither polls nor times out suspended connections).
struct ClientConnection: @unchecked Sendable {
    let pointer: OpaquePointer
    let socket: Int32

    /// Must be called on the polling thread, during the access handler.
    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
        socket = CMicroHTTPD_connection_fd(pointer)
    }

    /// True when the client has closed the connection, reset it, or shut down its sending
    /// side: poll(2) with a zero timeout (0.4–0.6 µs measured), that reads nothing. Bytes of a next
    /// request already sent (pipelining) do not count as leaving.
    /// A client that half-closes after its request and still reads the answer counts as gone;
    /// HTTP clients do not do that (Go's server reads an early EOF the same way).
    var isGone: Bool {
        guard socket >= 0 else { return false }
        var entry = pollfd(fd: socket, events: Self.peerClosedWriting, revents: 0)
        guard poll(&entry, 1, 0) == 1 else { return false }
        return entry.revents & (Self.peerClosedWriting | Int16(POLLHUP | POLLERR | POLLNVAL)) != 0
    }

    /// POLLRDHUP (Linux: the peer closed or shut down writing, even with unread bytes left),
    /// which Swift's Glibc module leaves out (it is behind _GNU_SOURCE).
    private static let peerClosedWriting: Int16 = 0x2000

    /// Hands the suspended connection back to its polling thread, which calls the access
    /// handler again.
    func resume() {
        MHD_resume_connection(pointer)
    }

    /// Takes the connection out of its polling thread's loop until `resume`. Only from the
    /// access handler.
    func suspend() {
        MHD_suspend_connection(pointer)
    }
}
