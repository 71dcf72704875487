// The C-facing edge of a request: reading the head out of an MHD_Connection and queueing an
// HTTPResponse on it. No decisions are made here; RequestFlow decides what to read and send.
internal import CMicroHTTPD

enum ConnectionIO {
    /// The head of the request on `connection`: method, path, raw query and headers.
    /// MHD only offers an iterator over the headers: a first pass (`microHTTPMeasureHeader`)
    /// sizes the buffer, a second (`microHTTPCollectHeader`) fills it.
    static func readHead(
        of connection: OpaquePointer, method: String, path: String, query: String?
    ) -> HTTPRequest {
        var head = HTTPRequest(method: method, path: path, query: query)
        var byteCount = 0
        _ = MHD_get_connection_values_n(connection, .HEADER_KIND, microHTTPMeasureHeader, &byteCount)
        head.headers = HTTPHeaders(byteCount: byteCount) { writer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, microHTTPCollectHeader, &writer)
        }
        return head
    }

    /// The announced Content-Length, or nil (chunked, absent, or not a number).
    static func contentLength(of connection: OpaquePointer) -> UInt64? {
        let name: StaticString = "Content-Length"
        let key = UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)
        var value: UnsafePointer<CChar>?
        var size = 0
        guard MHD_lookup_connection_value_n(
                connection, .HEADER_KIND, key, name.utf8CodeUnitCount, &value, &size) == .YES,
              let value else { return nil }
        return ContentLength.parse(UnsafeRawBufferPointer(start: value, count: size))
    }

    /// Builds an MHD response from `response`, queues it, and drops our reference to it.
    /// Must run on the MHD thread that called the access handler. Returns false if MHD refused.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> Bool {
        // MUST_COPY: MHD owns its copy, so the Swift array's lifetime does not matter. One memcpy
        // per response is cheap next to producing the body.
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
        }
        guard let mhdResponse = created else { return false }
        defer { MHD_destroy_response(mhdResponse) }  // the queue holds its own reference
        for (name, value) in response.headers where !isFraming(name) {
            if MHD_add_response_header(mhdResponse, name, value) != .YES {
                StandardError.writeLine("MicroHTTP: dropped invalid response header \"\(name)\"")
            }
        }
        return MHD_queue_response(connection, UInt32(response.status), mhdResponse) == .YES
    }

    /// Headers MHD derives from the body itself; a second, different value would desync framing.
    private static func isFraming(_ name: String) -> Bool {
        name.isFieldName("content-length") || name.isFieldName("transfer-encoding")
    }
}

