internal import CLinux
#if canImport(Glibc)
public import Glibc
#endif

/// The one place where errno becomes an error: EINTR is retried, EAGAIN/EWOULDBLOCK is
/// `.wouldBlock`, anything else is thrown as an `IOError` naming the call.
public enum Syscall {
    @inline(__always)
    static func retryingInterrupts(
        _ call: StaticString,
        _ body: () -> Int
    ) throws(IOError) -> IOResult<Int> {
        while true {
            let result = body()
            if result >= 0 { return .processed(result) }
            let error = Glibc.errno
            switch error {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                return .wouldBlock
            default:
                throw IOError(errno: error, call: call)
            }
        }
    }

    /// Calls that never return EAGAIN: throws on failure, retries EINTR.
    @inline(__always)
    static func checked(_ call: StaticString, _ body: () -> Int32) throws(IOError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let error = Glibc.errno
            if error == EINTR { continue }
            throw IOError(errno: error, call: call)
        }
    }

    /// `read(2)` into `buffer`; `.processed(0)` means the peer closed its side.
    public static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try retryingInterrupts("read") { Glibc.read(fd, buffer.baseAddress, buffer.count) }
    }

    /// `writev(2)` of up to `IOV_MAX` buffers.
    public static func writev(_ fd: Int32, _ vectors: UnsafeBufferPointer<iovec>) throws(IOError) -> IOResult<Int> {
        try retryingInterrupts("writev") { Glibc.writev(fd, vectors.baseAddress, Int32(vectors.count)) }
    }

    /// `write(2)`.
    public static func write(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try retryingInterrupts("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
    }

    /// `accept4(2)` with SOCK_NONBLOCK | SOCK_CLOEXEC; `.wouldBlock` when the queue is empty.
    public static func accept(_ listenFD: Int32) throws(IOError) -> IOResult<Int32> {
        switch try retryingInterrupts("accept4", { Int(gb_accept_nonblocking(listenFD)) }) {
        case .processed(let fd): return .processed(Int32(fd))
        case .wouldBlock: return .wouldBlock
        }
    }

    /// `close(2)`. EINTR is not retried: on Linux the descriptor is released either way.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// `shutdown(2)` of the write side, sending FIN after pending data.
    public static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// `setsockopt(2)` with an `Int32` value.
    public static func setOption(_ fd: Int32, level: Int32, name: Int32, value: Int32) throws(IOError) {
        var value = value
        _ = try checked("setsockopt") {
            setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
