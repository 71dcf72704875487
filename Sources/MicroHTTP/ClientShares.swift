// Fairness between clients for bodies still arriving: each client address may claim at most a
// share of the memory budget for them (ServerConfiguration.maxMemoryPerClientBytes), so a client
// that announces large bodies and then stalls cannot take the whole budget from everyone else
// until the idle timeout (as nginx's limit_conn per address caps what one address holds).
// Only arriving bodies count: once a body is complete, what it holds is bounded in time (its
// computation, then its answer), and the budget alone governs it.
// A client holding nothing may always claim, even more than its share: otherwise a share smaller
// than the largest admissible body (a small budget) would refuse such bodies for ever. So one
// client holds at most max(share, one body's reservation).
// Bookkeeping only, no locks (the Scheduler calls it under its lock), tested on its own
// (ClientSharesTests). On the path of every request with a body: one probe of ClientTable to
// claim, one to release.

/// Bytes claimed per client against a per-client limit.
struct ClientShares: Sendable {
    /// The most one client may hold, unless it holds nothing else.
    let limit: Int
    /// Clients holding something now; an entry leaves when its client holds nothing, so the
    /// table is as large as the clients with bodies arriving (bounded by the connections).
    private var held = ClientTable()

    init(limit: Int) {
        precondition(limit > 0, "ClientShares: limit \(limit)")
        self.limit = limit
    }

    /// Claims `bytes` (> 0) more for `client` if it stays within its share, or if nothing but
    /// the asking request's own `owned` bytes is held by that client. False (and nothing
    /// claimed) otherwise.
    mutating func claim(_ bytes: Int, by client: ClientAddress, owning owned: Int = 0) -> Bool {
        precondition(bytes > 0 && owned >= 0, "ClientShares: claimed \(bytes) owning \(owned)")
        let limit = limit
        return held.update(client) { total in
            guard total <= owned || total + bytes <= limit else { return false }
            total += bytes
            return true
        }
    }

    /// Gives back `bytes` that `client` claimed.
    mutating func release(_ bytes: Int, of client: ClientAddress) {
        guard bytes > 0 else { return }
        held.update(client) { total in
            precondition(total >= bytes, "ClientShares: released \(bytes) of the \(total) that \(client) held")
            total -= bytes
        }
    }

    /// What `client` holds now.
    func holding(_ client: ClientAddress) -> Int { held.value(of: client) }

    /// Clients holding anything now.
    var clients: Int { held.count }
}
