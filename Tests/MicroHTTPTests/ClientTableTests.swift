// ClientShares' hash table against a Dictionary doing the same: lookups, updates, removals in
// the middle of probe runs (backward shift), and growth, over many clients in a small table.
@testable import MicroHTTP
import Testing

@Suite struct ClientTableTests {
    /// A deterministic generator, so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [0, 1, 0xDEAD_BEEF] as [UInt64])
    func behavesLikeADictionary(seed: UInt64) {
        var random = SplitMix(state: seed)
        // 64 addresses, IPv4 and IPv6 alike (some with the same bits), in a table that starts at 4
        // slots: long probe runs, collisions, and several doublings.
        let clients: [ClientAddress] = (0..<64).map { (i: Int) -> ClientAddress in
            if i % 3 == 0 { return ClientAddress(ipv6Prefix: UInt64(i / 2)) }
            return ClientAddress(ipv4: UInt32(i / 2))
        }
        var table = ClientTable(capacity: 4, seed: seed)
        var model: [ClientAddress: Int] = [:]
        for _ in 0..<20_000 {
            let client = clients.randomElement(using: &random)!
            let current = model[client] ?? 0
            // Mostly small changes, sometimes back to 0 (removal), never below it.
            let change: Int
            if Int.random(in: 0...3, using: &random) == 0 {
                change = -current
            } else {
                change = Int.random(in: -current...5, using: &random)
            }
            let seen = table.update(client) { value -> Int in
                let before = value
                value += change
                return before
            }
            #expect(seen == current)
            let after: Int = current + change
            model[client] = after == 0 ? nil : after
            #expect(table.count == model.count)
        }
        for client in clients {
            #expect(table.value(of: client) == model[client] ?? 0)
        }
    }

    @Test func aClientAtZeroLeavesAndOthersStayReachable() {
        var table = ClientTable(capacity: 4, seed: 7)
        let a = ClientAddress(ipv4: 1), b = ClientAddress(ipv4: 2), c = ClientAddress(ipv6Prefix: 1)
        table.update(a) { $0 = 10 }
        table.update(b) { $0 = 20 }
        table.update(c) { $0 = 30 }
        table.update(b) { $0 = 0 }
        #expect(table.count == 2)
        #expect(table.value(of: a) == 10 && table.value(of: b) == 0 && table.value(of: c) == 30)
        // Reading an absent client through update adds nothing.
        table.update(b) { #expect($0 == 0) }
        #expect(table.count == 2)
    }
}
