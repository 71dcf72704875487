// What the server remembers about one request between libmicrohttpd's callbacks: the request
// line, the head once parsed, the body so far. It lives from the request line to completion.
// Its `request` is what the application gets once the body is complete.
import Glibc

/// Per-request state, kept in memory that `*con_cls` points to. A struct in manually managed
/// memory rather than a class: no reference counting and no dynamic exclusivity checks on the
/// fields touched several times per request. Only ever touched by the MHD thread that owns the
/// connection (or by the thread stopping the daemon, after MHD has joined its threads).
struct RequestState {
    enum Phase {
        /// Request line seen; the access handler has not been called yet.
        case awaitingHead
        /// Head parsed; body chunks (if any) are being buffered.
        case receivingBody
        /// A chunked body grew past the limit: chunks are consumed and dropped.
        case discardingBody
        /// The handler answers on a thread of its own; the connection is suspended until then.
        case computing(PendingResponse)
        /// A response is queued; MHD will not call the access handler again.
        case answered
    }

    /// When the request line arrived; the access log's duration starts here.
    let arrival: ContinuousClock.Instant
    /// The raw query, captured from the undecoded URI (MHD gives only the decoded path later).
    let rawQuery: String?
    var phase: Phase = .awaitingHead
    /// Method, path, query and headers once the head is read; the body as it arrives.
    var request = HTTPRequest(method: "", path: "")

    init(rawURI: UnsafePointer<CChar>?) {
        arrival = .now
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
