/// Why a Redis call failed. The cases say what the caller may conclude: a `.server` error is
/// an answer (Redis works), `.connectFailed` and `.circuitOpen` mean the command was never
/// sent, `.timeout` and `.connectionLost` mean it may or may not have run.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with an error reply (e.g. WRONGTYPE); the connection stays usable.
    case server(String)
    /// No answer within the command timeout. The connection is dropped: answers are matched
    /// to commands by position, so a late one would be taken for the next command's.
    case timeout
    /// No connection could be made (refused, timed out, SELECT refused, or backing off
    /// after such failures). The command was not sent.
    case connectFailed(String)
    /// The connection broke while the command was in flight.
    case connectionLost(String)
    /// The circuit breaker is open: refused at once, without touching the network.
    case circuitOpen
    /// The connection or client was closed by its owner, or the command cannot be used on a
    /// shared connection (subscriptions, MONITOR).
    case misuse(String)

    public var description: String {
        switch self {
        case .server(let message): "Redis error: \(message)"
        case .timeout: "Redis command timed out"
        case .connectFailed(let message): "cannot connect to Redis: \(message)"
        case .connectionLost(let message): "Redis connection lost: \(message)"
        case .circuitOpen: "Redis circuit breaker is open"
        case .misuse(let message): "Redis client misuse: \(message)"
        }
    }
}
