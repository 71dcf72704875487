// The one thing an application gives the server: a Sendable value that turns requests into
// responses. It runs on libmicrohttpd's threads, so it must not assume any actor or queue.

/// The application side of an `HTTPServer`.
public protocol HTTPHandler: Sendable {
    /// Called once the whole body has arrived. May take as long as the request needs: in the
    /// `.pool` thread model it runs on a thread of its own when `respondIfQuick` declined.
    func respond(to request: HTTPRequest) -> HTTPResponse

    /// In the `.pool` thread model, called first on the polling thread, which serves many
    /// connections: the answer if it comes quickly (well under a millisecond), or nil when it
    /// would not, and the server then calls `respond(to:)` on a thread of its own while the
    /// connection waits, so one heavy request stalls no other connection. The default answers
    /// everything here.
    func respondIfQuick(to request: HTTPRequest) -> HTTPResponse?

    /// Called instead of `respond` when the body exceeds `maxBodyBytes`: either Content-Length
    /// says so (then this is answered in the first callback, before the body is read, skipping
    /// `100 Continue`) or a chunked body grows past the limit (then the server stops buffering,
    /// discards the rest, and answers once it has arrived). `request.body` is empty here.
    func bodyTooLarge(_ request: HTTPRequest, limit: Int) -> HTTPResponse
}

extension HTTPHandler {
    public func respondIfQuick(to request: HTTPRequest) -> HTTPResponse? {
        respond(to: request)
    }
}
