// An HTTP response as the application returns it: status, headers, body, nothing more.
// Framing (Content-Length, chunking, Date, Connection) is the server's job, not the handler's.

/// One complete HTTP response.
public struct HTTPResponse: Sendable {
    /// The status code; outside 200...599 the server answers 500 instead (and logs why).
    public var status: Int
    /// Header fields to send. `Content-Length` and `Transfer-Encoding` are ignored: the server
    /// derives them from `body`, and a disagreeing value would corrupt the connection.
    public var headers: [(name: String, value: String)]
    /// The body bytes. For `HEAD` requests the server sends only the headers.
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
