#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which call and the errno it returned.
public struct IOError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The errno value.
    public let errno: Int32
    /// The system call that failed, e.g. `"accept4"`.
    public let call: StaticString

    public init(errno: Int32, call: StaticString) {
        self.errno = errno
        self.call = call
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }

    public static func == (lhs: IOError, rhs: IOError) -> Bool {
        lhs.errno == rhs.errno && lhs.call.description == rhs.call.description
    }

    /// The peer went away: reset, broken pipe, or timed out at the TCP level.
    public var isConnectionLost: Bool {
        errno == ECONNRESET || errno == EPIPE || errno == ETIMEDOUT || errno == ECONNABORTED
    }
}

/// The outcome of a non-blocking call: done, or the kernel would have had to wait.
public enum IOResult<Value> {
    case processed(Value)
    case wouldBlock
}

extension IOResult: Sendable where Value: Sendable {}
