internal import CLinux

#if canImport(Glibc)
import Glibc
#endif

/// Kernel options for listening sockets and the connections they accept.
public struct SocketOptions: Sendable, Equatable {
    /// `listen(2)` backlog.
    public var backlog: Int32 = 4096
    /// `SO_REUSEPORT`: each loop binds its own listener and the kernel spreads connections.
    public var reusePort = true
    /// `TCP_NODELAY` on accepted connections: responses leave without Nagle's delay.
    public var tcpNoDelay = true
    /// `TCP_DEFER_ACCEPT` seconds (0: off): wake the server only once request bytes arrive.
    public var deferAcceptSeconds: Int32 = 0
    /// `TCP_FASTOPEN` queue length (0: off).
    public var fastOpenQueueLength: Int32 = 0

    public init() {}
}

/// Socket creation and option setting; the descriptors are plain `Int32`s owned by the caller.
public enum Socket {
    /// A non-blocking listening TCP socket bound to `address`; returns it and the bound port
    /// (useful when `address.port` is 0).
    public static func listen(on address: SocketAddress, options: SocketOptions) throws(IOError) -> (fd: Int32, port: Int) {
        let fd = try Syscall.checked("socket") { gb_socket_nonblocking(address.domain, Int32(SOCK_STREAM.rawValue)) }
        do {
            try Syscall.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if options.reusePort { try Syscall.setOption(fd, level: SOL_SOCKET, name: GB_SO_REUSEPORT, value: 1) }
            if options.tcpNoDelay { try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: GB_TCP_NODELAY, value: 1) }
            if options.deferAcceptSeconds > 0 {
                try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: GB_TCP_DEFER_ACCEPT, value: options.deferAcceptSeconds)
            }
            if options.fastOpenQueueLength > 0 {
                try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: GB_TCP_FASTOPEN, value: options.fastOpenQueueLength)
            }
            _ = try Syscall.checked("bind") { address.withSockAddr { Glibc.bind(fd, $0, $1) } }
            _ = try Syscall.checked("listen") { Glibc.listen(fd, options.backlog) }
            return (fd, try localPort(of: fd))
        } catch {
            Syscall.close(fd)
            throw error
        }
    }

    /// The local port a socket is bound to.
    public static func localPort(of fd: Int32) throws(IOError) -> Int {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutablePointer(to: &storage) { pointer throws(IOError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(IOError) in
                try Syscall.checked("getsockname") { getsockname(fd, address, &length) }
            }
        }
        let port: UInt16 = withUnsafeBytes(of: &storage) { bytes in
            // sin_port and sin6_port sit at the same offset, after the family.
            bytes.load(fromByteOffset: 2, as: UInt16.self)
        }
        return Int(UInt16(bigEndian: port))
    }

    /// Sets `TCP_NODELAY` on a connection.
    public static func setNoDelay(_ fd: Int32) throws(IOError) {
        try Syscall.setOption(fd, level: Int32(IPPROTO_TCP), name: GB_TCP_NODELAY, value: 1)
    }

    /// Starts a non-blocking connect; `.wouldBlock` means wait for writability, then check `pendingError`.
    public static func connect(to address: SocketAddress) throws(IOError) -> (fd: Int32, result: IOResult<Void>) {
        let fd = try Syscall.checked("socket") { gb_socket_nonblocking(address.domain, Int32(SOCK_STREAM.rawValue)) }
        let status = address.withSockAddr { Glibc.connect(fd, $0, $1) }
        if status == 0 { return (fd, .processed(())) }
        let error = Glibc.errno
        if error == EINPROGRESS || error == EINTR { return (fd, .wouldBlock) }
        Syscall.close(fd)
        throw IOError(errno: error, call: "connect")
    }

    /// `SO_ERROR`: the outcome of a non-blocking connect (0: connected).
    public static func pendingError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 else { return Glibc.errno }
        return value
    }
}
