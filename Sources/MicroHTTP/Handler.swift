// The one thing an application gives the server: a Sendable value that turns requests into
// responses. It runs on libmicrohttpd's threads, so it must not assume any actor or queue.

/// The application side of an `HTTPServer`.
public protocol HTTPHandler: Sendable {
    /// Called on an MHD thread once the whole body has arrived. Blocking here blocks the
    /// connection's thread (see `ThreadModel`).
    func respond(to request: HTTPRequest) -> HTTPResponse

    /// Called instead of `respond` when the body exceeds `maxBodyBytes`: either Content-Length
    /// says so (then this is answered in the first callback, before the body is read, skipping
    /// `100 Continue`) or a chunked body grows past the limit (then the server stops buffering,
    /// discards the rest, and answers once it has arrived). `request.body` is empty here.
    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse
}
