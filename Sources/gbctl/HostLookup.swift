#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import IOCore

/// A host name to the numeric address HTTPClient connects to: the client never resolves
/// names itself (no loop thread may wait on DNS), so gbctl does, once per server, on the
/// command's own thread before any request.
enum HostLookup {
    struct Failure: Error {
        let reason: String
    }

    static func address(_ host: String, port: Int) throws(Failure) -> SocketAddress {
        if let numeric = try? SocketAddress(host: host, port: port) { return numeric }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if os(Linux)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else { throw Failure(reason: "cannot resolve \(host): \(String(cString: gai_strerror(status)))") }
        defer { freeaddrinfo(list) }
        var next: UnsafeMutablePointer<addrinfo>? = list
        while let entry = next {
            if let text = numeric(entry.pointee), let address = try? SocketAddress(host: text, port: port) { return address }
            next = entry.pointee.ai_next
        }
        throw Failure(reason: "cannot resolve \(host): it has no IPv4 or IPv6 address")
    }

    /// The entry's address as text ("10.0.0.7", "fd00::7"); nil for other families.
    private static func numeric(_ entry: addrinfo) -> String? {
        guard let socketAddress = entry.ai_addr else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written: Bool
        switch entry.ai_family {
        case AF_INET:
            written = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var address = pointer.pointee.sin_addr
                return inet_ntop(AF_INET, &address, &text, socklen_t(text.count)) != nil
            }
        case AF_INET6:
            written = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var address = pointer.pointee.sin6_addr
                return inet_ntop(AF_INET6, &address, &text, socklen_t(text.count)) != nil
            }
        default:
            return nil
        }
        guard written else { return nil }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}
