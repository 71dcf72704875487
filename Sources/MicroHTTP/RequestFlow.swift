// The access handler's phases for one request: the head (first call: 413, admission against
// the memory budget, or parking until memory is free), body chunks, the final call (prepare, then
// the answer now or a computation for the Scheduler), and the calls after a resume. This is the
// only place that turns the Scheduler's decisions into MHD actions. It does not parse HTTP
// (libmicrohttpd does) and does not build MHD responses (ConnectionIO).
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
        switch state.phase {
        case .awaitingHead:
            // First call: headers are complete, no body byte has been read (nor 100 Continue sent).
            state.request = ConnectionIO.readHead(
                of: connection,
                method: method.map { String(cString: $0) } ?? "",
                path: url.map { String(cString: $0) } ?? "",
                query: state.rawQuery)
            state.routeLabel = handler.routeLabel(for: state.request)
            return admitHead(&state, connection)

        case .parked(let parked):
            // Called again after the resume: the Scheduler has decided.
            let (outcome, holding) = scheduler.take(parked)
            state.reserved = holding
            switch outcome {
            case nil:
                return .YES  // not decided yet: MHD should not call before the resume
            case .readBody:
                // This is the first call again (MHD repeats it after a resume): the body comes next.
                state.phase = .receivingBody
                state.uploadStart = .now  // the wait was the server's doing, not the client's
                state.coveredBodyBytes = state.announcedBodyBytes ?? 0
                if let announced = state.announcedBodyBytes { state.request.body.reserveCapacity(announced) }
                if uploadDataSize.pointee > 0 {
                    return handle(connection: connection, state: &state, url: url, method: method,
                                  uploadData: uploadData, uploadDataSize: uploadDataSize)
                }
                return .YES
            case .respond(let response):
                return answer(response, &state, connection)
            case .overloaded(let reason, let retryAfter):
                // Before the body was read, this is still the first call: MHD discards the body.
                return refuse(reason, retryAfter: retryAfter, &state, connection)
            case .clientGone:
                state.phase = .answered
                return .NO  // closes the connection; nothing would read an answer
            }

        case .receivingBody, .discardingBody:
            let size = uploadDataSize.pointee
            if size > 0 {
                receive(uploadData, size, &state, connection)
                // Everything was consumed. Never report more than MHD offered: it would abort.
                uploadDataSize.pointee = 0
                return keepsPace(&state) ? .YES : .NO
            }
            // Final call: the whole body is here (or was discarded).
            if case .discardingBody(let refusal) = state.phase {
                switch refusal {
                case .tooLarge:
                    return tooLarge(&state, connection)
                case .overloaded(let reason, let retryAfter):
                    return refuse(reason, retryAfter: retryAfter, &state, connection)
                }
            }
            return prepare(&state, connection)

        case .answered:
            // MHD stops calling once a response is queued; should it not, there is nothing to add.
            uploadDataSize.pointee = 0
            return .YES
        }
    }

    // MARK: Phases

    /// The head is in: 413 for an announced body over the limit, else a reservation for the
    /// body, or the request parks until memory is free, or 503 without reading the body.
    private func admitHead(_ state: inout RequestState, _ connection: OpaquePointer) -> MHD_Result {
        state.phase = .receivingBody
        let limit = configuration.maxBodyBytes
        let announced = ConnectionIO.contentLength(of: connection)
        if let announced, announced > UInt64(limit) {
            // Answering now makes MHD skip 100 Continue and discard the body unread.
            return tooLarge(&state, connection)
        }
        state.announcedBodyBytes = announced.map { Int($0) }
        let bodyBytes = state.announcedBodyBytes ?? 0
        let bytes = max(0, handler.admissionBytes(for: state.request, bodyBytes: bodyBytes))
        // Only a request that reserves memory needs to know its client (a GET does not).
        let client = bytes > 0 ? self.client(&state, connection) : .unknown
        switch scheduler.admitBody(bytes, from: client, on: connection) {
        case .granted:
            state.reserved = bytes
            state.claimed = bytes
            state.coveredBodyBytes = bodyBytes
            // Virtual memory only until touched; bounded by the limit checked just above.
            if bodyBytes > 0 { state.request.body.reserveCapacity(bodyBytes) }
            return .YES
        case .parked(let parked):
            state.claimed = bytes  // claimed while it waits, so that waiting costs a share too
            return park(parked, &state, connection)
        case .refused(let reason, let retryAfter):
            return refuse(reason, retryAfter: retryAfter, &state, connection)
        }
    }

    /// One chunk of the body: kept, or dropped once the body is being discarded. A chunked
    /// body that outgrows the limit is discarded (413 at the end); one that outgrows its
    /// reservation grows it, or is discarded (503 at the end) when the budget has no room.
    private func receive(
        _ data: UnsafePointer<CChar>?, _ size: Int, _ state: inout RequestState, _ connection: OpaquePointer
    ) {
        state.receivedBodyBytes += size
        guard case .receivingBody = state.phase, let data else { return }
        let total = state.request.body.count + size
        if total > configuration.maxBodyBytes {
            // A chunked body outgrew the limit; MHD can only be answered at the end.
            state.phase = .discardingBody(.tooLarge)
            state.request.body = []
            return
        }
        if total > state.coveredBodyBytes, let refusal = growReservation(toCover: total, &state, connection) {
            state.phase = .discardingBody(.overloaded(refusal, retryAfterSeconds: 1))
            state.request.body = []
            return
        }
        state.request.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: size))
    }

    /// Whether the upload, more bytes of which just arrived, keeps its pace (UploadPace). A body
    /// complete in this call (a small one arrives with its head) is not timed. False also counts
    /// the request; returning NO then closes the connection, and its reservation comes back when
    /// the request completes.
    private func keepsPace(_ state: inout RequestState) -> Bool {
        if let announced = state.announcedBodyBytes, state.receivedBodyBytes >= announced { return true }
        guard configuration.uploadPace.isBehind(
            received: state.receivedBodyBytes, afterNanoseconds: MonotonicInstant.now.nanoseconds(since: state.uploadStart)) else { return true }
        metrics.recordRejection(ServerMetrics.uploadTooSlow)
        state.phase = .answered  // nothing more is read or sent for it
        return false
    }

    /// Grows a chunked body's reservation to cover `total` bytes: to twice that (so that a large
    /// body asks a few times, not per chunk), or else to just that. Nil when it grew, else why
    /// not (the budget, or the client's share, when neither fits now).
    private func growReservation(
        toCover total: Int, _ state: inout RequestState, _ connection: OpaquePointer
    ) -> OverloadReason? {
        let client = self.client(&state, connection)
        var refusal = OverloadReason.memory
        for covered in [max(2 * total, 64 << 10), total] {
            let wanted = max(state.reserved, handler.admissionBytes(for: state.request, bodyBytes: covered))
            switch scheduler.growBody(
                holding: state.reserved, to: wanted, claimed: state.claimed, by: client, on: connection
            ) {
            case nil:
                state.claimed += wanted - state.reserved
                state.reserved = wanted
                state.coveredBodyBytes = covered
                return nil
            case let reason?:
                refusal = reason
            }
        }
        return refusal
    }

    /// The request's client, read from MHD once.
    private func client(_ state: inout RequestState, _ connection: OpaquePointer) -> ClientAddress {
        if let client = state.client { return client }
        let client = ConnectionIO.client(of: connection)
        state.client = client
        return client
    }

    /// The body is complete: the handler prepares, and answers now or hands over a computation.
    private func prepare(_ state: inout RequestState, _ connection: OpaquePointer) -> MHD_Result {
        state.request.requestsInFlight = metrics.inFlight.load(ordering: .relaxed)
        state.request.metrics = metrics
        let prepared = handler.prepare(state.request)
        state.request.body = []  // the handler keeps what it needs; not held while the answer is sent
        switch prepared {
        case .now(let response):
            return answer(response, &state, connection)
        case .later(let computation):
            let claimed = state.claimed
            state.claimed = 0  // the body is complete: admitComputation takes it off the share
            switch scheduler.admitComputation(
                computation, holding: state.reserved, claimed: claimed, by: state.client ?? .unknown, on: connection
            ) {
            case .runHere(let holding):
                state.reserved = holding
                let client = ClientConnection(connection)
                return answer(computation.run { client.isGone }, &state, connection)
            case .parked(let parked):
                return park(parked, &state, connection)
            case .refused(let reason, let retryAfter, let holding):
                state.reserved = holding
                return refuse(reason, retryAfter: retryAfter, &state, connection)
            }
        }
    }

    /// Suspends the connection until the Scheduler has decided; MHD calls again after the resume.
    private func park(_ parked: ParkedRequest, _ state: inout RequestState, _ connection: OpaquePointer) -> MHD_Result {
        state.phase = .parked(parked)
        parked.connection.suspend()
        scheduler.didSuspend(parked)
        return .YES
    }

    // MARK: Answers

    private func tooLarge(_ state: inout RequestState, _ connection: OpaquePointer) -> MHD_Result {
        metrics.recordRejection(ServerMetrics.bodyTooLarge)
        return answer(handler.bodyTooLarge(state.request, limit: configuration.maxBodyBytes), &state, connection)
    }

    private func refuse(
        _ reason: OverloadReason, retryAfter: Int, _ state: inout RequestState, _ connection: OpaquePointer
    ) -> MHD_Result {
        metrics.recordRejection(reason.rawValue)
        state.request.body = []
        let response = handler.overloaded(state.request, reason: reason, retryAfterSeconds: retryAfter)
        return answer(response, &state, connection)
    }

    /// Queues `response` on this MHD thread, and writes the access-log line and the metrics.
    private func answer(
        _ response: HTTPResponse, _ state: inout RequestState, _ connection: OpaquePointer
    ) -> MHD_Result {
        state.phase = .answered
        if !state.countedOut {
            state.countedOut = true
            metrics.inFlight.wrappingSubtract(1, ordering: .relaxed)
        }
        var response = response
        if !(200...599).contains(response.status) {
            // 1xx and out-of-range codes would break the exchange; say so rather than send them.
            StandardError.writeLine(
                "MicroHTTP: handler returned status \(response.status) for "
                    + "\(state.request.method) \(state.request.path); sending 500 instead")
            response = HTTPResponse(status: 500)
        }
        let queued = ConnectionIO.queue(response, on: connection)
        let nanoseconds = MonotonicInstant.now.nanoseconds(since: state.arrival)
        metrics.record(route: state.routeLabel, method: state.request.method, status: response.status, seconds: Double(nanoseconds) / 1e9)
        if configuration.accessLog {
            accessLog.append(AccessLogLine(
                method: state.request.method, path: state.request.path, status: response.status,
                nanoseconds: nanoseconds, bytesOut: response.body.count))
        }
        // NO makes MHD close the connection, the only sane reaction to a response it refused.
        return queued ? .YES : .NO
    }
}
