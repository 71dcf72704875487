// Where and when requests run: the memory budget (MemoryLedger) and each client's share of it for
// bodies still arriving (ClientShares), the bounded queue of requests waiting for memory or for
// a worker, and the hand-over to the workers (WorkerPool). The only place that decides to run,
// wait or refuse.
// It never calls into MHD while holding its lock: connections to resume are collected and resumed
// after unlocking, since MHD takes its own locks there and calls us back (NOTIFY_COMPLETED).

/// The scheduler's state, all under one lock.
struct SchedulerState: Sendable {
    var ledger: MemoryLedger<ParkedRequest>
    /// What each client claims for bodies arriving or waiting to be read (part of `ledger`'s
    /// reservations and wishes, counted again per client).
    var shares: ClientShares
    /// Computations with their memory reserved, waiting for a worker, oldest first.
    var ready: [ParkedRequest] = []
    /// Work units of the computations queued (ready or waiting for memory) and running: the
    /// basis of Retry-After.
    var queuedWork = 0
    var runningWork = 0
    var running = 0
    /// Requests parked and not yet resumed: MHD must not be stopped while there are any.
    var suspended = 0
    /// Set at the end of the drain: nothing waits any more, workers leave once `ready` is empty.
    var closed = false
    /// Computations ever put in `ready`: when it grows, the workers are woken.
    var enqueued = 0

    var queued: Int { ledger.waitingCount + ready.count }
}

final class Scheduler: Sendable {
    enum BodyAdmission {
        /// Reserved: read the body.
        case granted
        /// Waiting for memory: suspend the connection, then call `didSuspend`.
        case parked(ParkedRequest)
        case refused(OverloadReason, retryAfterSeconds: Int)
    }

    enum ComputationAdmission {
        /// Memory reserved (`holding` bytes in all), and the work is small: run it on this thread.
        case runHere(holding: Int)
        /// Queued for memory or a worker: suspend the connection, then call `didSuspend`.
        case parked(ParkedRequest)
        case refused(OverloadReason, retryAfterSeconds: Int, holding: Int)
    }

    let maxQueue: Int
    let inlineWork: Int
    let workers: Int
    let metrics: ServerMetrics
    private let state: Monitor<SchedulerState>

    init(budget: Int, perClient: Int, maxQueue: Int, inlineWork: Int, workers: Int, metrics: ServerMetrics) {
        self.maxQueue = maxQueue
        self.inlineWork = inlineWork
        self.workers = workers
        self.metrics = metrics
        state = Monitor(SchedulerState(ledger: MemoryLedger(budget: budget), shares: ClientShares(limit: perClient)))
    }

    // MARK: Polling threads

    /// Before the body is read: reserves `bytes` for it, parks the request until they are free,
    /// or refuses it. Unless refused, `bytes` count against `client`'s share until
    /// `admitComputation` or `release` gives them back.
    func admitBody(_ bytes: Int, from client: ClientAddress, on connection: OpaquePointer) -> BodyAdmission {
        guard bytes > 0 else { return .granted }
        var resumes: [ClientConnection] = []
        defer { resume(resumes) }
        return locked { s in
            defer { publish(s) }
            // Before the ledger: a client over its share neither reserves nor takes a place in the queue.
            guard s.shares.claim(bytes, by: client) else {
                return .refused(s.closed ? .shuttingDown : .clientShare, retryAfterSeconds: retryAfter(s))
            }
            var parked: ParkedRequest?
            let decision = s.ledger.request(
                bytes, holding: 0, priority: .body,
                waiter: Self.park(&parked, ClientConnection(connection), nil, holding: 0, wanted: bytes),
                mayWait: hasRoom(&s, &resumes))
            switch decision {
            case .granted: return .granted
            case .waiting:
                s.suspended += 1
                return .parked(parked!)
            case .refused:
                s.shares.release(bytes, of: client)
                return .refused(s.closed ? .shuttingDown : .memory, retryAfterSeconds: retryAfter(s))
            }
        }
    }

    /// A chunked body outgrew its reservation: grows it from `held` to `wanted` bytes if that
    /// fits now, the growth counted against `client`'s share (of which the request's own claim
    /// is `claimed`). Nil when granted, else why not. Never waits: the body is arriving, and a
    /// reader that waits while holding memory could hold up the waiters ahead of it.
    func growBody(
        holding held: Int, to wanted: Int, claimed: Int, by client: ClientAddress, on connection: OpaquePointer
    ) -> OverloadReason? {
        guard wanted > held else { return nil }
        return locked { s in
            defer { publish(s) }
            guard s.shares.claim(wanted - held, by: client, owning: claimed) else { return .clientShare }
            let decision = s.ledger.request(
                wanted - held, holding: held, priority: .computation,
                waiter: ParkedRequest(connection: ClientConnection(connection), computation: nil, holding: held, wanted: wanted),
                mayWait: false)
            if decision == .granted { return nil }
            s.shares.release(wanted - held, of: client)
            return .memory
        }
    }

    /// Once the body is parsed: sets the request's reservation (`held` bytes so far) to the
    /// computation's memory cost, and decides where it runs. A small one runs on the polling
    /// thread; others go to a worker, after waiting for memory if need be. The body is no longer
    /// arriving: its `claimed` bytes leave `client`'s share.
    func admitComputation(
        _ computation: Computation, holding held: Int, claimed: Int, by client: ClientAddress, on connection: OpaquePointer
    ) -> ComputationAdmission {
        let wanted = max(0, computation.cost.memoryBytes)
        let work = max(0, computation.cost.work)
        var resumes: [ClientConnection] = []
        defer { resume(resumes) }
        return locked { s in
            defer { publish(s) }
            s.shares.release(claimed, of: client)
            if wanted < held {
                resumes += grant(s.ledger.release(held - wanted), &s)
            } else if wanted > held {
                var parked: ParkedRequest?
                let decision = s.ledger.request(
                    wanted - held, holding: held, priority: .computation,
                    waiter: Self.park(&parked, ClientConnection(connection), computation, holding: held, wanted: wanted),
                    mayWait: hasRoom(&s, &resumes))
                switch decision {
                case .granted: break
                case .waiting:
                    s.suspended += 1
                    s.queuedWork += work
                    return .parked(parked!)
                case .refused:
                    return .refused(s.closed ? .shuttingDown : .memory, retryAfterSeconds: retryAfter(s), holding: held)
                }
            }
            if work <= inlineWork { return .runHere(holding: wanted) }
            guard !s.closed, hasRoom(&s, &resumes) else {
                return .refused(s.closed ? .shuttingDown : .queueFull, retryAfterSeconds: retryAfter(s), holding: wanted)
            }
            let parked = ParkedRequest(
                connection: ClientConnection(connection), computation: computation, holding: wanted, wanted: wanted)
            s.ready.append(parked)
            s.enqueued += 1
            s.queuedWork += work
            s.suspended += 1
            return .parked(parked)
        }
    }

    /// The connection of `parked` is now suspended. If its outcome was decided meanwhile, nobody
    /// resumed it (it was not suspended yet), so this does.
    func didSuspend(_ parked: ParkedRequest) {
        let decided = state.withLock { _ in
            parked.isSuspended = true
            return parked.outcome != nil
        }
        if decided { resume([parked.connection]) }
    }

    /// After the resume, on the polling thread: the outcome (nil if there is none yet, which MHD
    /// should not cause) and the bytes the request holds now.
    func take(_ parked: ParkedRequest) -> (outcome: ParkedRequest.Outcome?, holding: Int) {
        state.withLock { _ in
            defer { parked.outcome = nil }
            return (parked.outcome, parked.holding)
        }
    }

    /// The request is over (MHD_OPTION_NOTIFY_COMPLETED): its bytes go back to the budget, and
    /// the waiters they let in are granted; what it still `claimed` (a body that never became a
    /// computation) leaves `client`'s share.
    func release(_ bytes: Int, claimed: Int = 0, by client: ClientAddress = .unknown) {
        guard bytes > 0 || claimed > 0 else { return }
        var resumes: [ClientConnection] = []
        locked { s in
            s.shares.release(claimed, of: client)
            resumes = grant(s.ledger.release(bytes), &s)
            publish(s)
        }
        resume(resumes)
    }

    // MARK: Workers

    /// Blocks until a computation is ready and returns it, counted as running; nil once the
    /// scheduler is closed and nothing is left to run.
    func nextJob() -> ParkedRequest? {
        let job: ParkedRequest?? = state.wait(until: { !$0.ready.isEmpty || $0.closed }) { s in
            guard !s.ready.isEmpty else { return nil }
            let job = s.ready.removeFirst()
            s.queuedWork -= job.work
            s.runningWork += job.work
            s.running += 1
            publish(s)
            return job
        }
        return job ?? nil
    }

    /// A worker is done with `job`: hands the outcome to its connection.
    func finish(_ job: ParkedRequest, with outcome: ParkedRequest.Outcome) {
        var resumes: [ClientConnection] = []
        locked { s in
            s.runningWork -= job.work
            s.running -= 1
            decide(job, outcome, &resumes)
            publish(s)
        }
        resume(resumes)
    }

    // MARK: Shutdown

    /// The drain is over: every waiting request is answered 503 (shutting down), nothing waits
    /// from now on, and workers leave once they have finished what they are running.
    func close() {
        var resumes: [ClientConnection] = []
        locked { s in
            s.closed = true
            let everything = s.ledger.remove { _ in true }.removed + s.ready
            s.ready = []
            s.queuedWork = 0
            for parked in everything {
                decide(parked, .overloaded(.shuttingDown, retryAfterSeconds: 1), &resumes)
            }
            publish(s)
        }
        resume(resumes)
    }

    /// Waits until no connection is suspended and no worker runs, so MHD may be stopped (it
    /// must not be with a suspended connection, nor while a worker may still resume one).
    /// Unbounded: what runs is bounded by the handler's own limits.
    func waitUntilIdle() {
        _ = state.wait(until: { $0.suspended == 0 && $0.running == 0 }) { _ in () }
    }

    /// Requests parked or running (for the drain's progress).
    var busy: Bool {
        state.withLock { $0.suspended > 0 || $0.running > 0 }
    }

    // MARK: Under the lock

    /// Runs `body` under the lock, then wakes the waiters if they have something to see: a new
    /// computation (workers), or anything at all once closed (workers leaving, `waitUntilIdle`).
    /// Not otherwise: a waiter woken for nothing costs two context switches, which showed as
    /// requests completing late after their answer (on two cores, often in the waker's slice).
    private func locked<Result>(_ body: (inout SchedulerState) -> Result) -> Result {
        var wake = false
        let result = state.withLock { s in
            let enqueued = s.enqueued
            let result = body(&s)
            wake = s.enqueued != enqueued || s.closed
            return result
        }
        if wake { state.broadcast() }
        return result
    }

    /// Grants from the ledger: a body is read, a computation joins the ready queue (a client
    /// that has left gets neither).
    private func grant(_ granted: [ParkedRequest], _ s: inout SchedulerState) -> [ClientConnection] {
        var resumes: [ClientConnection] = []
        for parked in granted {
            parked.holding = parked.wanted
            if parked.connection.isGone {
                s.queuedWork -= parked.work
                decide(parked, .clientGone, &resumes)
            } else if parked.computation == nil {
                decide(parked, .readBody, &resumes)
            } else {
                s.ready.append(parked)
                s.enqueued += 1
            }
        }
        return resumes
    }

    /// Whether one more request may queue. When the queue is full, requests whose clients have
    /// left are dropped from it first (a poll(2) each, only then).
    private func hasRoom(_ s: inout SchedulerState, _ resumes: inout [ClientConnection]) -> Bool {
        if s.closed { return false }
        if s.queued < maxQueue { return true }
        let (gone, granted) = s.ledger.remove { $0.connection.isGone }
        var goneReady: [ParkedRequest] = []
        s.ready.removeAll { parked in
            guard parked.connection.isGone else { return false }
            goneReady.append(parked)
            return true
        }
        for parked in gone + goneReady {
            s.queuedWork -= parked.work
            decide(parked, .clientGone, &resumes)
        }
        resumes += grant(granted, &s)
        return s.queued < maxQueue
    }

    /// Sets the outcome, and has the connection resumed if it is already suspended (else
    /// `didSuspend` will).
    private func decide(_ parked: ParkedRequest, _ outcome: ParkedRequest.Outcome, _ resumes: inout [ClientConnection]) {
        // Counted here: after the resume MHD may find the socket closed and complete the request
        // without calling the access handler again.
        if case .clientGone = outcome { metrics.abandoned.wrappingAdd(1, ordering: .relaxed) }
        parked.outcome = outcome
        if parked.isSuspended { resumes.append(parked.connection) }
    }

    /// Seconds until a refused request is likely to fit: the work queued and running, spread
    /// over the workers (a work unit is about a nanosecond), rounded up; 1 to 60.
    private func retryAfter(_ s: SchedulerState) -> Int {
        let seconds = (s.queuedWork + s.runningWork) / max(1, workers) / 1_000_000_000 + 1
        return min(60, max(1, seconds))
    }

    /// The gauges of /metrics.
    private func publish(_ s: SchedulerState) {
        metrics.queued.store(s.queued, ordering: .relaxed)
        metrics.reservedBytes.store(s.ledger.reserved, ordering: .relaxed)
        metrics.busyWorkers.store(s.running, ordering: .relaxed)
    }

    /// Creates the ParkedRequest a ledger entry needs, keeping it for the caller.
    private static func park(
        _ slot: inout ParkedRequest?, _ connection: ClientConnection, _ computation: Computation?,
        holding: Int, wanted: Int
    ) -> ParkedRequest {
        let parked = ParkedRequest(connection: connection, computation: computation, holding: holding, wanted: wanted)
        slot = parked
        return parked
    }

    // MARK: Outside the lock

    /// Resumes suspended connections (MHD then calls the access handler for each), then counts
    /// them as no longer suspended.
    private func resume(_ connections: [ClientConnection]) {
        guard !connections.isEmpty else { return }
        for connection in connections { connection.resume() }
        locked { s in s.suspended -= connections.count }
    }
}
