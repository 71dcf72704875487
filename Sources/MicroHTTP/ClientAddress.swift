// Who a client is, for sharing the memory budget fairly between clients (ClientShares): its IPv4
// address, or the /64 prefix of its IPv6 address. A /64 is what one IPv6 subscriber or host is
// normally given, so counting whole addresses would let one client take a share per address it
// picks from its prefix; a /64 is one client, as rate limiters commonly count IPv6.
import Glibc

/// A client's identity for fairness: 8 bytes and a family, cheap to hash and compare.
struct ClientAddress: Hashable, Sendable {
    enum Family: UInt8 { case unknown, ipv4, ipv6 }

    /// The IPv4 address, or the IPv6 address's first 64 bits, as the bytes lie in the sockaddr.
    let bits: UInt64
    let family: Family

    init(ipv4 bits: UInt32) {
        self.bits = UInt64(bits)
        family = .ipv4
    }

    init(ipv6Prefix bits: UInt64) {
        self.bits = bits
        family = .ipv6
    }

    private init(unknown: Void) {
        bits = 0
        family = .unknown
    }

    /// Clients whose address is unknown (MHD could not say; not seen on TCP) share one identity.
    static let unknown = ClientAddress(unknown: ())

    /// The client behind a peer address as MHD reports it. An IPv4-mapped IPv6 address
    /// (::ffff:a.b.c.d) is that IPv4 client.
    init(_ address: UnsafePointer<sockaddr>?) {
        guard let address else {
            self = .unknown
            return
        }
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            let v4 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in.self)
            self.init(ipv4: v4.sin_addr.s_addr)
        case AF_INET6:
            let v6 = UnsafeRawPointer(address).loadUnaligned(as: sockaddr_in6.self)
            self = withUnsafeBytes(of: v6.sin6_addr) { bytes in
                // Both loads keep the bytes in memory order, as s_addr and the prefix are kept.
                let isMapped = bytes[10] == 0xFF && bytes[11] == 0xFF && bytes[0..<10].allSatisfy { $0 == 0 }
                return isMapped
                    ? ClientAddress(ipv4: bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
                    : ClientAddress(ipv6Prefix: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
            }
        default:
            self = .unknown
        }
    }
}
