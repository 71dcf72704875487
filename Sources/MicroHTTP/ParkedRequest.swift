// A request whose connection is suspended while it waits: for memory before its body is read,
// or for memory and a worker to compute its response. The Scheduler decides its outcome; the
// polling thread reads it once MHD calls the access handler again after the resume.

/// One suspended request and what became of it. @unchecked Sendable: every `var` is only
/// touched under the Scheduler's lock.
final class ParkedRequest: @unchecked Sendable {
    enum Outcome {
        /// Memory reserved: read the body now.
        case readBody
        /// The computation's response.
        case respond(HTTPResponse)
        /// Not served: answer 503.
        case overloaded(OverloadReason, retryAfterSeconds: Int)
        /// The client left while the request waited: nothing is computed, nothing sent.
        case clientGone
    }

    let connection: ClientConnection
    /// What a worker runs once memory is reserved; nil while waiting to read a body.
    let computation: Computation?
    /// Bytes reserved for the request: what it held when it parked, and once granted, `wanted`.
    var holding: Int
    /// Bytes it holds once granted (for a body: its admission bytes; for a computation: its cost).
    let wanted: Int
    var outcome: Outcome?
    /// MHD_suspend_connection has returned: whoever decides the outcome from now on resumes.
    var isSuspended = false

    init(connection: ClientConnection, computation: Computation?, holding: Int, wanted: Int) {
        self.connection = connection
        self.computation = computation
        self.holding = holding
        self.wanted = wanted
    }

    /// The work units still to come for this request, for Retry-After.
    var work: Int { computation?.cost.work ?? 0 }
}
