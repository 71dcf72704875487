// Each client's share of the budget for bodies still arriving, without a server: one client
// cannot claim past its share while it holds anything, others are not affected, and what is
// given back can be claimed again.
import Glibc
@testable import MicroHTTP
import Testing

@Suite struct ClientSharesTests {
    let a = ClientAddress(ipv4: 0x0200_007F)  // 127.0.0.2 as s_addr holds it
    let b = ClientAddress(ipv4: 0x0300_007F)

    @Test func aClientClaimsUpToItsShareAndNoMore() {
        var shares = ClientShares(limit: 100)
        #expect(shares.claim(60, by: a) == true)
        #expect(shares.claim(40, by: a) == true)
        #expect(shares.claim(1, by: a) == false)
        #expect(shares.holding(a) == 100)  // the refused claim took nothing
    }

    @Test func anotherClientStillClaimsItsOwnShare() {
        var shares = ClientShares(limit: 100)
        #expect(shares.claim(100, by: a) == true)
        #expect(shares.claim(10, by: a) == false)
        #expect(shares.claim(100, by: b) == true)
        #expect(shares.clients == 2)
    }

    /// Otherwise a body whose reservation is larger than the share could never be sent.
    @Test func aClientHoldingNothingMayClaimMoreThanItsShareOnce() {
        var shares = ClientShares(limit: 100)
        #expect(shares.claim(250, by: a) == true)
        #expect(shares.claim(1, by: a) == false)
        // A body growing its own claim (a chunked upload) is still alone.
        #expect(shares.claim(50, by: a, owning: 250) == true)
        #expect(shares.claim(50, by: a, owning: 100) == false)  // others hold 200 of the 300: over the share
    }

    @Test func releasedBytesCanBeClaimedAgainAndEmptyClientsLeave() {
        var shares = ClientShares(limit: 100)
        #expect(shares.claim(70, by: a) == true)
        #expect(shares.claim(30, by: a) == true)
        #expect(shares.claim(20, by: a) == false)
        shares.release(30, of: a)
        #expect(shares.claim(20, by: a) == true)
        shares.release(70, of: a)
        shares.release(20, of: a)
        #expect(shares.holding(a) == 0)
        #expect(shares.clients == 0)
        shares.release(0, of: b)  // nothing claimed, nothing to give back
        #expect(shares.clients == 0)
    }
}

/// Who counts as one client: an IPv4 address, or an IPv6 /64.
@Suite struct ClientAddressTests {
    func address(v4 text: String) -> ClientAddress {
        var v4 = sockaddr_in()
        v4.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, text, &v4.sin_addr)
        return withUnsafePointer(to: &v4) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ClientAddress($0) } }
    }

    func address(v6 text: String) -> ClientAddress {
        var v6 = sockaddr_in6()
        v6.sin6_family = sa_family_t(AF_INET6)
        inet_pton(AF_INET6, text, &v6.sin6_addr)
        return withUnsafePointer(to: &v6) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { ClientAddress($0) } }
    }

    @Test func ipv4AddressesAreClientsOfTheirOwn() {
        #expect(address(v4: "127.0.0.2") == ClientAddress(ipv4: 0x0200_007F))
        #expect(address(v4: "127.0.0.2") != address(v4: "127.0.0.3"))
    }

    @Test func anIPv6ClientIsItsSlash64() {
        #expect(address(v6: "2001:db8:1:2::1") == address(v6: "2001:db8:1:2:ffff:1:2:3"))
        #expect(address(v6: "2001:db8:1:2::1") != address(v6: "2001:db8:1:3::1"))
        #expect(address(v6: "::1") != ClientAddress.unknown)  // its /64 is all zeros, and still IPv6
    }

    @Test func anIPv4MappedAddressIsThatIPv4Client() {
        #expect(address(v6: "::ffff:127.0.0.2") == address(v4: "127.0.0.2"))
        #expect(address(v6: "::fffe:127.0.0.2") != address(v4: "127.0.0.2"))
    }

    @Test func anUnknownAddressIsOneSharedClient() {
        #expect(ClientAddress(nil) == .unknown)
    }
}
