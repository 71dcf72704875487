// What the server remembers about one request between libmicrohttpd's callbacks: the request
// line, the head once parsed, the body so far, its memory reservation, and where it stands.
// It lives from the request line to completion. Its `request` is what the application gets once
// the body is complete.
import Glibc

/// Per-request state, kept in memory that `*con_cls` points to. A struct in manually managed
/// memory rather than a class: no reference counting and no dynamic exclusivity checks on the
/// fields touched several times per request. Only ever touched by the MHD thread that owns the
/// connection (or by the thread stopping the daemon, after MHD has joined its threads).
struct RequestState {
    enum Phase {
        /// Request line seen; the access handler has not been called yet.
        case awaitingHead
        /// Suspended, waiting for the Scheduler: for memory before the body is read, or for its
        /// computation. MHD calls the access handler again once it is resumed.
        case parked(ParkedRequest)
        /// Head parsed and admitted; body chunks (if any) are being buffered.
        case receivingBody
        /// The body will not be used (a chunked body outgrew the limit or the budget): chunks
        /// are consumed and dropped, and this answer is given at the end.
        case discardingBody(Refusal)
        /// A response is queued; MHD will not call the access handler again.
        case answered
    }

    /// Why a body is being discarded.
    enum Refusal {
        case tooLarge
        case overloaded(OverloadReason, retryAfterSeconds: Int)
    }

    /// When the request line arrived; the access log's duration starts here.
    let arrival: MonotonicInstant
    /// The raw query, captured from the undecoded URI (MHD gives only the decoded path later).
    let rawQuery: String?
    var phase: Phase = .awaitingHead
    /// Method, path, query and headers once the head is read; the body as it arrives.
    var request = HTTPRequest(method: "", path: "", query: nil, headers: HTTPHeaders())
    /// The handler's label for the route, for the metrics (set with the head).
    var routeLabel = ""
    /// Bytes reserved against the memory budget, given back when the request completes.
    var reserved = 0
    /// Bytes counted against the client's share while the body is awaited or arriving (the
    /// reservation, or the wish of a parked body); 0 once the body is complete.
    var claimed = 0
    /// Who sent it, for its share: read from MHD when the request first reserves memory.
    var client: ClientAddress?
    /// Body bytes the reservation covers: Content-Length, or for a chunked body what was
    /// reserved so far; past it, a chunked body must grow its reservation.
    var coveredBodyBytes = 0
    /// The body size announced by Content-Length, if any.
    var announcedBodyBytes: Int?
    /// Body bytes received so far (also those discarded), for the upload's pace.
    var receivedBodyBytes = 0
    /// When the body was admitted, from which its pace counts: the arrival, or the end of its
    /// wait for memory.
    var uploadStart: MonotonicInstant
    /// No longer in `metrics.inFlight`: answered (counted out then, not once MHD has sent the
    /// answer, so that a client holding its answer never sees its request still in flight).
    var countedOut = false

    init(rawURI: UnsafePointer<CChar>?) {
        arrival = .now
        uploadStart = arrival
        // Only the query becomes a String: the path arrives decoded in the access handler.
        if let rawURI, let mark = strchr(rawURI, Int32(UInt8(ascii: "?"))) {
            rawQuery = String(cString: mark + 1)
        } else {
            rawQuery = nil
        }
    }
}

extension RequestState {
    /// Creates the state of a request whose line just arrived, in memory of its own; the
    /// pointer is what MHD keeps in `*con_cls`. Freed by `release`.
    static func allocate(rawURI: UnsafePointer<CChar>?) -> UnsafeMutableRawPointer {
        let state = UnsafeMutablePointer<RequestState>.allocate(capacity: 1)
        state.initialize(to: RequestState(rawURI: rawURI))
        return UnsafeMutableRawPointer(state)
    }

    /// The state behind a pointer from `allocate`, in place.
    static func at(_ pointer: UnsafeMutableRawPointer) -> UnsafeMutablePointer<RequestState> {
        pointer.assumingMemoryBound(to: RequestState.self)
    }

    /// Destroys and frees the state behind a pointer from `allocate`.
    static func release(_ pointer: UnsafeMutableRawPointer) {
        let state = at(pointer)
        state.deinitialize(count: 1)
        state.deallocate()
    }
}
