// Turns the configured host and port into the sockaddr that MHD_OPTION_SOCK_ADDR binds to.
// Address literals only: resolving names would make startup depend on DNS.
import Glibc

/// A parsed bind address, IPv4 or IPv6.
enum SocketAddress {
    case ipv4(sockaddr_in)
    case ipv6(sockaddr_in6)

    /// Parses `host` as an IPv4 dotted quad, else as an IPv6 literal (brackets allowed).
    init?(host: String, port: UInt16) {
        var v4 = sockaddr_in()
        if inet_pton(AF_INET, host, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = port.bigEndian
            self = .ipv4(v4)
            return
        }
        var literal = Substring(host)
        if literal.hasPrefix("["), literal.hasSuffix("]") {
            literal = literal.dropFirst().dropLast()
        }
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET6, String(literal), &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = port.bigEndian
            self = .ipv6(v6)
            return
        }
        return nil
    }

    var isIPv6: Bool {
        if case .ipv6 = self { return true }
        return false
    }

    /// Lends the address as the generic `sockaddr` pointer C wants, valid only inside `body`.
    func withSockaddrPointer<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        switch self {
        case .ipv4(var address):
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body)
            }
        case .ipv6(var address):
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body)
            }
        }
    }
}
