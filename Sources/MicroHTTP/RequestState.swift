// What the server remembers about one request between libmicrohttpd's callbacks: the request
// line, the head once parsed, the body so far. It lives from the request line to completion.
// It is not the application's HTTPRequest (that is built from it once the body is complete).

/// Per-request state stored in MHD's `*con_cls`. Only ever touched by the MHD thread that owns
/// the connection (or by the thread stopping the daemon, after MHD has joined its threads).
final class RequestState {
    enum Phase {
        /// Request line seen; the access handler has not been called yet.
        case awaitingHead
        /// Head parsed; body chunks (if any) are being buffered.
        case receivingBody
        /// A chunked body grew past the limit: chunks are consumed and dropped.
        case discardingBody
        /// A response is queued; MHD will not call the access handler again.
        case answered
    }

    /// When the request line arrived; the access log's duration starts here.
    let arrival: ContinuousClock.Instant
    /// The raw query, captured from the undecoded URI (MHD gives only the decoded path later).
    let rawQuery: String?
    var phase: Phase = .awaitingHead
    /// Method, path, query and headers; its body stays empty until the final callback.
    var head = HTTPRequest(method: "", path: "")
    var body: [UInt8] = []

    init(rawURI: String?) {
        arrival = .now
        // Searched as bytes: a Character search would segment the whole URI into graphemes.
        if let rawURI, let mark = rawURI.utf8.firstIndex(of: UInt8(ascii: "?")) {
            rawQuery = String(rawURI.utf8[rawURI.utf8.index(after: mark)...])
        } else {
            rawQuery = nil
        }
    }
}

extension RequestState {
    /// One header field from MHD's iterator, name lowercased as HTTPRequest promises.
    func appendHeader(name: String, value: String) {
        head.headers.append((name: name.fieldNameLowercased, value: value))
    }
}
