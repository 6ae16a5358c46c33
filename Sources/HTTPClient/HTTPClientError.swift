/// Why a request got no usable response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The address is not a numeric IPv4/IPv6 address (or "localhost") and port.
    case invalidAddress(String)
    /// The request cannot be sent as given (bad target, header text, reserved header).
    case invalidRequest(String)
    /// Nobody listens there (ECONNREFUSED), or the network said so (unreachable).
    case connectionRefused(String)
    /// The peer reset the connection, or the pipe broke while writing.
    case connectionReset
    /// The peer closed the connection before the response was complete.
    case connectionClosed
    /// No complete response before the deadline; the connection was closed.
    case timeout
    /// The response could not be parsed; the connection was closed.
    case invalidResponse(String)
    /// The response was larger than the configured limits allow.
    case responseTooLarge
    /// Another socket error.
    case socket(String)

    public var description: String {
        switch self {
        case .invalidAddress(let detail): "invalid address: \(detail)"
        case .invalidRequest(let detail): "invalid request: \(detail)"
        case .connectionRefused(let detail): "connection refused: \(detail)"
        case .connectionReset: "connection reset by peer"
        case .connectionClosed: "connection closed before the response was complete"
        case .timeout: "timed out"
        case .invalidResponse(let detail): "invalid response: \(detail)"
        case .responseTooLarge: "response too large"
        case .socket(let detail): "socket error: \(detail)"
        }
    }
}
