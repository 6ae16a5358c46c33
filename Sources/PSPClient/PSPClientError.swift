/// Why a call to the provider failed, told apart the way a caller must act on it.
public enum PSPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider refused the request (4xx) with its error code: retrying the same request
    /// will not help.
    case rejected(status: Int, code: String, message: String)
    /// The provider failed (5xx): retry later, with the same idempotency key.
    case providerFailed(status: Int, code: String?, message: String?)
    /// No answer within the timeout. The request may have taken effect: retry with the same key.
    case timeout
    /// The connection broke after the request was sent. It may have taken effect, as for a timeout.
    case connectionLost(String)
    /// The provider could not be reached at all (refused, bad address): nothing happened.
    case unreachable(String)
    /// The answer was not what the contract says.
    case invalidResponse(String)

    public var description: String {
        switch self {
        case .rejected(let status, let code, let message): "provider refused (\(status) \(code)): \(message)"
        case .providerFailed(let status, let code, let message): "provider failed (\(status) \(code ?? "-")): \(message ?? "")"
        case .timeout: "provider did not answer in time"
        case .connectionLost(let detail): "connection to the provider lost: \(detail)"
        case .unreachable(let detail): "provider unreachable: \(detail)"
        case .invalidResponse(let detail): "invalid answer from the provider: \(detail)"
        }
    }

    /// Whether retrying the same call (with the same idempotency key) may succeed.
    public var isRetryable: Bool {
        switch self {
        case .rejected, .invalidResponse: false
        case .providerFailed, .timeout, .connectionLost, .unreachable: true
        }
    }
}
