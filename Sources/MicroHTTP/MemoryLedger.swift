// The memory budget as bookkeeping: how much is reserved, who waits for how much, and whether a
// newcomer may wait. No locks, threads or MHD here (the Scheduler calls it under its lock), so
// its rules are tested on their own (MemoryLedgerTests).
//
// Deadlock is the danger: a request that holds its body's bytes and waits for more keeps others
// waiting, which may hold bytes too. A request may wait only while
//
//     Σ held by waiters + max(more wanted by a waiter) ≤ budget
//
// holds with it counted. Then once every request that is not waiting has finished (each does, in
// bounded time: computing, reading a body, sending a response), at least the largest wish fits,
// so the first waiter is granted, and so on; nobody is granted ahead of a waiter meanwhile.

/// Reservations against a fixed budget, and the requests waiting for one, in order.
struct MemoryLedger<Waiter> {
    /// Waiting computations hold their body's bytes and so go before waiting bodies, which hold
    /// nothing yet: serving them first frees memory soonest and wastes no body already read.
    enum Priority { case computation, body }

    enum Decision: Equatable {
        /// Reserved: the bytes are counted in `reserved` from now on.
        case granted
        /// Queued: `release` or `remove` grants it later, in order.
        case waiting
        /// Neither: it does not fit now, and may not wait.
        case refused
    }

    fileprivate struct Entry {
        let waiter: Waiter
        let held: Int
        let more: Int
    }

    let budget: Int
    private(set) var reserved = 0
    private var computations: [Entry] = []
    private var bodies: [Entry] = []

    init(budget: Int) {
        self.budget = budget
    }

    var waitingCount: Int { computations.count + bodies.count }

    /// Asks for `more` bytes (> 0) on top of the `held` bytes (already in `reserved`) of the
    /// requester. Granted when it fits and nobody it must queue behind is waiting; otherwise it
    /// waits if `mayWait` and waiting is safe (see the top of the file); otherwise refused.
    mutating func request(
        _ more: Int, holding held: Int, priority: Priority, waiter: @autoclosure () -> Waiter, mayWait: Bool
    ) -> Decision {
        precondition(more > 0 && held >= 0, "MemoryLedger: asked for \(more) holding \(held)")
        let queuedAhead = priority == .computation ? !computations.isEmpty : waitingCount > 0
        if !queuedAhead && more <= budget - reserved {
            reserved += more
            return .granted
        }
        guard mayWait, held + more <= budget else { return .refused }
        let heldByWaiters = (computations + bodies).reduce(held) { $0 + $1.held }
        let largestWish = (computations + bodies).reduce(more) { max($0, $1.more) }
        guard heldByWaiters + largestWish <= budget else { return .refused }
        let entry = Entry(waiter: waiter(), held: held, more: more)
        if priority == .computation { computations.append(entry) } else { bodies.append(entry) }
        return .waiting
    }

    /// Returns `bytes` to the budget and grants waiters in order while the first one fits.
    mutating func release(_ bytes: Int) -> [Waiter] {
        precondition(bytes >= 0 && bytes <= reserved, "MemoryLedger: released \(bytes) of \(reserved)")
        reserved -= bytes
        return grantInOrder()
    }

    /// Takes the waiters for which `shouldRemove` holds out of the queue, ungranted (what they
    /// hold stays reserved until they release it), and grants those now first in line if they fit.
    mutating func remove(where shouldRemove: (Waiter) -> Bool) -> (removed: [Waiter], granted: [Waiter]) {
        var removed: [Waiter] = []
        func take(from queue: inout [Entry]) {
            queue.removeAll { entry in
                guard shouldRemove(entry.waiter) else { return false }
                removed.append(entry.waiter)
                return true
            }
        }
        take(from: &computations)
        take(from: &bodies)
        return (removed, grantInOrder())
    }

    private mutating func grantInOrder() -> [Waiter] {
        var granted: [Waiter] = []
        while let first = computations.first ?? bodies.first, first.more <= budget - reserved {
            reserved += first.more
            if computations.isEmpty { bodies.removeFirst() } else { computations.removeFirst() }
            granted.append(first.waiter)
        }
        return granted
    }
}

extension MemoryLedger: Sendable where Waiter: Sendable {}
extension MemoryLedger.Entry: Sendable where Waiter: Sendable {}
