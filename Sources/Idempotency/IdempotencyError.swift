/// Why a request with an Idempotency-Key was refused. The SQL answers these as SQLSTATEs GB012
/// and GB013 (`gb_idempotency_begin`, and the functions that claim a key themselves).
public enum IdempotencyError: Error, Sendable, Equatable {
    /// The key was used for a different request (another body, method or path).
    case keyReused(String)
    /// A request with the key is still running.
    case inProgress(String)

    /// The refusal a SQL function answered, if it is an idempotency one.
    public init?(sqlState state: String, detail: String) {
        switch state {
        case "GB012": self = .keyReused(detail)
        case "GB013": self = .inProgress(detail)
        default: return nil
        }
    }
}
