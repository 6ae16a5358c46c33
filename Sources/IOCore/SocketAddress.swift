#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address and port, parsed from numeric text (or "localhost").
public struct SocketAddress: Sendable, CustomStringConvertible, Equatable {
    enum Family: Equatable {
        case v4(in_addr)
        case v6(in6_addr)

        static func == (lhs: Family, rhs: Family) -> Bool {
            switch (lhs, rhs) {
            case (.v4(var a), .v4(var b)): return memcmp(&a, &b, MemoryLayout<in_addr>.size) == 0
            case (.v6(var a), .v6(var b)): return memcmp(&a, &b, MemoryLayout<in6_addr>.size) == 0
            default: return false
            }
        }
    }

    let family: Family
    /// The port, host byte order.
    public let port: Int
    /// The host as given (normalised for "localhost").
    public let host: String

    /// Parses `host` ("127.0.0.1", "::1", "0.0.0.0", "::", "localhost") and a port.
    public init(host: String, port: Int) throws(SocketAddressError) {
        guard (0...65535).contains(port) else { throw SocketAddressError(message: "port \(port) is out of range") }
        let literal = host == "localhost" ? "127.0.0.1" : host
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            family = .v4(v4)
        } else if inet_pton(AF_INET6, literal.trimmingBrackets, &v6) == 1 {
            family = .v6(v6)
        } else {
            throw SocketAddressError(message: "'\(host)' is not a numeric IPv4 or IPv6 address")
        }
        self.port = port
        self.host = literal
    }

    /// The same address with another port.
    public func with(port: Int) -> SocketAddress {
        // The host was valid once, so it is valid again.
        (try? SocketAddress(host: host, port: port))!
    }

    var domain: Int32 {
        switch family {
        case .v4: AF_INET
        case .v6: AF_INET6
        }
    }

    public var description: String {
        switch family {
        case .v4: "\(host):\(port)"
        case .v6: "[\(host)]:\(port)"
        }
    }

    /// Calls `body` with a sockaddr pointer and its length.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        switch family {
        case .v4(let address):
            var storage = sockaddr_in()
            storage.sin_family = sa_family_t(AF_INET)
            storage.sin_port = in_port_t(UInt16(port).bigEndian)
            storage.sin_addr = address
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        case .v6(let address):
            var storage = sockaddr_in6()
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = in_port_t(UInt16(port).bigEndian)
            storage.sin6_addr = address
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
    }
}

/// A host or port that cannot be used as a socket address.
public struct SocketAddressError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

extension String {
    fileprivate var trimmingBrackets: String {
        hasPrefix("[") && hasSuffix("]") ? String(dropFirst().dropLast()) : self
    }
}
