public import Postgres

/// Why an order or group operation was refused. Raised by the SQL functions as SQLSTATEs of
/// class GB (migrations/0003_business_functions.sql); `detail` is their message.
public enum OrdersError: Error, Sendable, Equatable {
    case dealNotFound(String)
    case dealNotActive(String)
    case soldOut(String)
    case groupNotFound(String)
    case groupNotOpen(String)
    case groupExpired(String)
    case groupFull(String)
    case alreadyInGroup(String)
    case purchaseLimitExceeded(String)
    case orderNotFound(String)
    case wrongOrderState(String)
    case idempotencyKeyReused(String)
    case idempotencyKeyInProgress(String)
    case paymentWindowClosed(String)

    /// The business refusal a PostgreSQL error stands for, if it is one.
    public init?(_ error: PostgresError) {
        guard let state = error.sqlState, state.hasPrefix("GB") else { return nil }
        let detail = error.message
        switch state {
        case "GB001": self = .dealNotFound(detail)
        case "GB002": self = .dealNotActive(detail)
        case "GB003": self = .soldOut(detail)
        case "GB004": self = .groupNotFound(detail)
        case "GB005": self = .groupNotOpen(detail)
        case "GB006": self = .groupExpired(detail)
        case "GB007": self = .groupFull(detail)
        case "GB008": self = .alreadyInGroup(detail)
        case "GB009": self = .purchaseLimitExceeded(detail)
        case "GB010": self = .orderNotFound(detail)
        case "GB011": self = .wrongOrderState(detail)
        case "GB012": self = .idempotencyKeyReused(detail)
        case "GB013": self = .idempotencyKeyInProgress(detail)
        case "GB015": self = .paymentWindowClosed(detail)
        default: return nil
        }
    }
}

extension PostgresError {
    /// Deadlock or serialization failure: the transaction was rolled back and may simply be run again.
    var isRetryable: Bool { sqlState == "40P01" || sqlState == "40001" }
}
