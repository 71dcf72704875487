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
        var byteCount = 0
        _ = MHD_get_connection_values_n(connection, .HEADER_KIND, microHTTPMeasureHeader, &byteCount)
        let headers = HTTPHeaders(byteCount: byteCount) { writer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, microHTTPCollectHeader, &writer)
        }
        return HTTPRequest(method: method, path: path, query: query, headers: headers)
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

    /// The client that sent the request on `connection`, for its share of the budget.
    static func client(of connection: OpaquePointer) -> ClientAddress {
        ClientAddress(CMicroHTTPD_client_address(connection))
    }

    /// Builds an MHD response from `response`, queues it, and drops our reference to it.
    /// Must run on the MHD thread that called the access handler. Returns false if MHD refused.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer) -> Bool {
        guard let mhdResponse = lend(response.body) else { return false }
        defer { MHD_destroy_response(mhdResponse) }  // the queue holds its own reference
        for (name, value) in response.headers where !isFraming(name) {
            // withCString lends the String's own bytes; passing a String where C wants a pointer
            // would copy each one into a new array.
            let added = name.withCString { name in
                value.withCString { value in MHD_add_response_header(mhdResponse, name, value) }
            }
            if added != .YES {
                StandardError.writeLine("MicroHTTP: dropped invalid response header \"\(name)\"")
            }
        }
        return MHD_queue_response(connection, UInt32(response.status), mhdResponse) == .YES
    }

    /// An MHD response whose body is `body` itself, not a copy: MHD gets the array's bytes and
    /// a retained ResponseBody, released by `microHTTPReleaseResponseBody` when MHD is done with
    /// them, which may be after the access handler returns. Copying (RESPMEM_MUST_COPY) cost a
    /// malloc, often a slow one at response sizes, and a memcpy per response.
    private static func lend(_ body: [UInt8]) -> OpaquePointer? {
        if body.isEmpty { return MHD_create_response_from_buffer(0, nil, .RESPMEM_PERSISTENT) }
        // The holder shares the array's storage and, being a `let`, never modifies it; a native
        // array's elements do not move while their storage lives unmodified.
        let holder = Unmanaged.passRetained(ResponseBody(body))
        let bytes = body.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress!) }
        let created = MHD_create_response_from_buffer_with_free_callback_cls(
            body.count, bytes, microHTTPReleaseResponseBody, holder.toOpaque())
        if created == nil { holder.release() }  // MHD calls the free callback only for a response
        return created
    }

    /// Headers MHD derives from the body itself; a second, different value would desync framing.
    private static func isFraming(_ name: String) -> Bool {
        name.isFieldName("content-length") || name.isFieldName("transfer-encoding")
    }
}

/// Keeps a response body alive while MHD sends it (see ConnectionIO.lend).
final class ResponseBody {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }
}
