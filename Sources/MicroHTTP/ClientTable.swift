// ClientShares' storage: an Int per client address, in an open-addressing hash table (linear
// probing, backward-shift deletion, so no tombstones). Not a Dictionary: with its SipHash the
// claim and the release of a small /step cost about 760 instructions (callgrind), with this 250.
// A multiplicative mix of the address with a per-process random seed places the clients, so a
// client cannot choose addresses (IPv6 prefixes) that collide; even so, the table holds only the
// clients with bodies arriving, at most the connection limit, so a probe is bounded anyway.

/// A map from client to a positive Int; a client whose value becomes 0 leaves the table.
struct ClientTable: Sendable {
    private struct Slot: Sendable {
        var client: ClientAddress
        /// 0: the slot is empty.
        var value: Int
    }

    private var slots: [Slot]
    private let seed: UInt64
    /// Clients in the table.
    private(set) var count = 0

    /// `capacity` is rounded up to a power of two; the table doubles when half full.
    init(capacity: Int = 16, seed: UInt64 = .random(in: .min ... .max)) {
        var size = 4
        while size < capacity { size *= 2 }
        slots = Array(repeating: Slot(client: .unknown, value: 0), count: size)
        self.seed = seed
    }

    /// The value of `client`, 0 when it is not in the table.
    func value(of client: ClientAddress) -> Int {
        var index = home(of: client)
        while slots[index].value != 0 {
            if slots[index].client == client { return slots[index].value }
            index = (index + 1) & (slots.count - 1)
        }
        return 0
    }

    /// Runs `body` on the value of `client` (0 if absent) in place: one probe for a lookup and
    /// its update. A value left at 0 removes the client; negative values are a bug.
    mutating func update<Result>(_ client: ClientAddress, _ body: (inout Int) -> Result) -> Result {
        if 2 * (count + 1) > slots.count { grow() }
        let mask = slots.count - 1
        var index = home(of: client)
        while slots[index].value != 0 && slots[index].client != client { index = (index + 1) & mask }
        let before = slots[index].value
        var value = before
        let result = body(&value)
        precondition(value >= 0, "ClientTable: \(client) would hold \(value)")
        if value > 0 {
            if before == 0 {
                slots[index].client = client
                count += 1
            }
            slots[index].value = value
        } else if before > 0 {
            remove(at: index)
        }
        return result
    }

    // MARK: Private

    /// The slot where a probe for `client` starts: splitmix64's finalizer over the seeded bits.
    private func home(of client: ClientAddress) -> Int {
        var x = client.bits ^ seed ^ (UInt64(client.family.rawValue) &* 0x9E37_79B9_7F4A_7C15)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Int(truncatingIfNeeded: x) & (slots.count - 1)
    }

    /// Empties slot `index` and moves later entries of the same probe run back over the hole,
    /// so that every entry stays reachable from its home slot without tombstones.
    private mutating func remove(at index: Int) {
        let mask = slots.count - 1
        var hole = index
        slots[hole].value = 0
        count -= 1
        var next = (hole + 1) & mask
        while slots[next].value != 0 {
            let home = home(of: slots[next].client)
            // The entry at `next` may fill the hole unless its home lies cyclically in (hole, next].
            let staysPut = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if !staysPut {
                slots[hole] = slots[next]
                slots[next].value = 0
                hole = next
            }
            next = (next + 1) & mask
        }
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(client: .unknown, value: 0), count: 2 * old.count)
        count = 0
        for slot in old where slot.value != 0 {
            update(slot.client) { $0 = slot.value }
        }
    }
}
