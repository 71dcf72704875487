// A deliberately small HTTP/1.1 client over a raw TCP socket, for tests only: it lets a test
// control exactly which bytes go out and when (partial bodies, delays, chunking, Expect).
// It is not a general client: no TLS, no redirects, one response parsed at a time.
import Glibc

public enum RawHTTPError: Error, CustomStringConvertible {
    case socket(Int32), connect(Int32), send(Int32), receive(Int32)
    case closedEarly(String)
    case malformed(String)

    public var description: String {
        switch self {
        case .socket(let e): return "socket: \(String(cString: strerror(e)))"
        case .connect(let e): return "connect: \(String(cString: strerror(e)))"
        case .send(let e): return "send: \(String(cString: strerror(e)))"
        case .receive(let e): return "recv: \(String(cString: strerror(e)))"
        case .closedEarly(let what): return "connection closed early: \(what)"
        case .malformed(let what): return "malformed response: \(what)"
        }
    }

    public var errnoCode: Int32? {
        switch self {
        case .socket(let e), .connect(let e), .send(let e), .receive(let e): return e
        default: return nil
        }
    }
}

/// One parsed response.
public struct RawResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// One TCP connection to 127.0.0.1 with send and receive timeouts, so no test can hang.
public final class RawHTTPConnection {
    private var fd: Int32
    private var pending: [UInt8] = []  // received but not yet parsed

    /// `source` is the local address to connect from: another loopback address (127.0.0.2, …)
    /// makes the server see another client.
    public init(port: Int, timeoutSeconds: Int = 10, source: String? = nil) throws {
        fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawHTTPError.socket(errno) }
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            local.sin_addr.s_addr = inet_addr(source)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            if bound != 0 {
                let code = errno
                Glibc.close(fd)
                fd = -1
                throw RawHTTPError.connect(code)
            }
        }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Small pieces must leave as separate segments for the chunk tests to mean anything.
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if result != 0 {
            let code = errno
            Glibc.close(fd)
            fd = -1
            throw RawHTTPError.connect(code)
        }
    }

    deinit { close() }

    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    public func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw RawHTTPError.send(errno)
            }
            offset += sent
        }
    }

    public func send(_ text: String) throws { try send(Array(text.utf8)) }

    /// Sends `bytes` in `pieces` roughly equal parts with `pauseMicroseconds` between them.
    public func sendSlowly(_ bytes: [UInt8], pieces: Int, pauseMicroseconds: UInt32) throws {
        let size = max(1, (bytes.count + pieces - 1) / pieces)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + size)
            try send(Array(bytes[offset..<end]))
            offset = end
            if offset < bytes.count { usleep(pauseMicroseconds) }
        }
    }

    /// Reads exactly one response (a 100 Continue counts as one). The body is delimited by
    /// Content-Length, or by the server closing the connection when there is none.
    public func readResponse() throws -> RawResponse {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int? = pending.firstRange(of: separator)?.lowerBound
        while headEnd == nil {
            guard try receiveMore() else { throw RawHTTPError.closedEarly("before the end of the head") }
            headEnd = pending.firstRange(of: separator)?.lowerBound
        }
        let headText = String(decoding: pending[..<headEnd!], as: UTF8.self)
        pending.removeFirst(headEnd! + separator.count)

        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        let statusParts = statusLine.split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."),
              let status = Int(statusParts[1]) else {
            throw RawHTTPError.malformed("status line \"\(statusLine)\"")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw RawHTTPError.malformed("header \"\(line)\"") }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            headers.append((name: line[..<colon].lowercased(), value: String(value)))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if (100...199).contains(status) { return response }

        if let lengthText = response.header("content-length") {
            guard let length = Int(lengthText) else { throw RawHTTPError.malformed("content-length \(lengthText)") }
            while pending.count < length {
                guard try receiveMore() else { throw RawHTTPError.closedEarly("after \(pending.count) of \(length) body bytes") }
            }
            response.body = Array(pending[..<length])
            pending.removeFirst(length)
        } else {
            while try receiveMore() {}
            response.body = pending
            pending = []
        }
        return response
    }

    /// True when the server closes the connection cleanly before the receive timeout; any data
    /// still arriving is discarded.
    public func waitForClose() -> Bool {
        do {
            while try receiveMore() {}
            return true
        } catch {
            return false
        }
    }

    /// Appends what the socket has; false at end of stream.
    private func receiveMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                pending.append(contentsOf: chunk[..<count])
                return true
            }
            if count == 0 { return false }
            if errno == EINTR { continue }
            throw RawHTTPError.receive(errno)
        }
    }
}

// MARK: - Building requests

public enum RawHTTP {
    /// A request head. `Connection: close` unless `keepAlive`, so each test's exchange is
    /// self-contained and the server's close is observable.
    public static func head(
        _ method: String, _ target: String, headers: [(String, String)] = [], keepAlive: Bool = false
    ) -> String {
        var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if !keepAlive { text += "Connection: close\r\n" }
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        return text + "\r\n"
    }

    /// `body` in chunked transfer coding, `chunkSize` bytes per chunk, with the final 0 chunk.
    public static func chunked(_ body: [UInt8], chunkSize: Int) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + chunkSize)
            out += Array("\(String(end - offset, radix: 16))\r\n".utf8) + body[offset..<end] + Array("\r\n".utf8)
            offset = end
        }
        return out + Array("0\r\n\r\n".utf8)
    }

    /// Connects, sends one request with a Content-Length body, reads the response, closes.
    public static func exchange(
        port: Int, _ method: String, _ target: String,
        headers: [(String, String)] = [], body: [UInt8] = [], source: String? = nil
    ) throws -> RawResponse {
        let connection = try RawHTTPConnection(port: port, source: source)
        defer { connection.close() }
        var allHeaders = headers
        if !body.isEmpty || method == "POST" { allHeaders.append(("Content-Length", "\(body.count)")) }
        try connection.send(Array(head(method, target, headers: allHeaders).utf8) + body)
        return try connection.readResponse()
    }
}
