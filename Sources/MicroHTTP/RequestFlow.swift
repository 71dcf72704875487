// The access handler's three phases for one request: head (first call), body chunks, and the
// final call that answers. This is the only place that decides between respond and bodyTooLarge.
// It does not parse HTTP (libmicrohttpd does) and does not build MHD responses (ConnectionIO).
internal import CMicroHTTPD

extension ServerContext {
    /// One call of MHD's access handler for the request whose state is `state`.
    func handle(
        connection: OpaquePointer,
        state: inout RequestState,
        url: UnsafePointer<CChar>?,
        method: UnsafePointer<CChar>?,
        uploadData: UnsafePointer<CChar>?,
        uploadDataSize: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        let limit = configuration.maxBodyBytes
        switch state.phase {
        case .awaitingHead:
            // First call: headers are complete, no body byte has been read (nor 100 Continue sent).
            state.request = ConnectionIO.readHead(
                of: connection,
                method: method.map { String(cString: $0) } ?? "",
                path: url.map { String(cString: $0) } ?? "",
                query: state.rawQuery)
            state.phase = .receivingBody
            if let announced = ConnectionIO.contentLength(of: connection) {
                if announced > UInt64(limit) {
                    // Answering now makes MHD skip 100 Continue and discard the body unread.
                    return answer(handler.bodyTooLarge(state.request, limit: limit), &state, connection)
                }
                // Virtual memory only until touched; bounded by the limit checked just above.
                state.request.body.reserveCapacity(Int(announced))
            }
            return .YES

        case .receivingBody, .discardingBody:
            let discarding = if case .discardingBody = state.phase { true } else { false }
            let size = uploadDataSize.pointee
            if size > 0 {
                if !discarding {
                    if state.request.body.count + size > limit {
                        // A chunked body outgrew the limit; MHD can only be answered at the end.
                        state.phase = .discardingBody
                        state.request.body = []
                    } else if let uploadData {
                        state.request.body.append(
                            contentsOf: UnsafeRawBufferPointer(start: uploadData, count: size))
                    }
                }
                // Everything was consumed. Never report more than MHD offered: it would abort.
                uploadDataSize.pointee = 0
                return .YES
            }
            // Final call: the whole body is here (or was discarded).
            if discarding {
                return answer(handler.bodyTooLarge(state.request, limit: limit), &state, connection)
            }
            state.request.requestsInFlight = inFlight.load(ordering: .relaxed)
            // A connection's own thread may block; a polling thread serves others and must not.
            let quick = configuration.threadModel == .threadPerConnection
                ? handler.respond(to: state.request) : handler.respondIfQuick(to: state.request)
            if quick == nil {
                let pending = PendingResponse(nil)
                if offload(state.request, connection: connection, into: pending) {
                    state.phase = .computing(pending)
                    state.request.body = []  // the worker holds it while it needs it
                    return .YES
                }
            }
            let response = quick ?? handler.respond(to: state.request)  // not offloaded: stopping
            state.request.body = []  // not kept for as long as MHD takes to send the answer
            return answer(response, &state, connection)

        case .computing(let pending):
            // Called again after the worker resumed the connection: its response is ready.
            uploadDataSize.pointee = 0
            guard let response = pending.withLock({ $0.take() }) else { return .YES }
            return answer(response, &state, connection)

        case .answered:
            // MHD stops calling once a response is queued; should it not, there is nothing to add.
            uploadDataSize.pointee = 0
            return .YES
        }
    }

    /// Queues `response` on this MHD thread and writes the access-log line.
    private func answer(
        _ response: HTTPResponse, _ state: inout RequestState, _ connection: OpaquePointer
    ) -> MHD_Result {
        state.phase = .answered
        var response = response
        if !(200...599).contains(response.status) {
            // 1xx and out-of-range codes would break the exchange; say so rather than send them.
            StandardError.writeLine(
                "MicroHTTP: handler returned status \(response.status) for "
                    + "\(state.request.method) \(state.request.path); sending 500 instead")
            response = HTTPResponse(status: 500)
        }
        let queued = ConnectionIO.queue(response, on: connection)
        if configuration.accessLog {
            accessLog.append(AccessLogLine(
                method: state.request.method, path: state.request.path, status: response.status,
                duration: .now - state.arrival, bytesOut: response.body.count))
        }
        // NO makes MHD close the connection, the only sane reaction to a response it refused.
        return queued ? .YES : .NO
    }
}
