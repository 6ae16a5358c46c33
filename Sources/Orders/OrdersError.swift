public import Postgres

/// Why an order or group operation was refused. The SQL functions answer refusals as SQLSTATEs
/// of class GB (migrations/0004_dependable_orders.sql; the transition triggers raise them);
/// `detail` is their message.
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
        guard let state = error.sqlState else { return nil }
        self.init(sqlState: state, detail: error.message)
    }

    /// The refusal a SQL function answered (its SQLSTATE and message), if it is one of ours.
    public init?(sqlState state: String, detail: String) {
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

/// A refusal a SQL function answered with a code none of ours stands for: the schema and this
/// build are out of step.
struct UnknownRefusal: Error, CustomStringConvertible {
    let code: String
    let detail: String
    var description: String { "the database refused with \(code), which this build does not know: \(detail)" }
}

extension PostgresRow {
    /// Throws the refusal a SQL function answered in this row (its SQLSTATE in column `code`,
    /// its message in column `detail`) as the `OrdersError` it stands for; returns when the
    /// function did not refuse.
    package func throwIfRefused(code: Int, detail: Int) throws {
        guard let state = string(code) else { return }
        let message = string(detail) ?? ""
        throw OrdersError(sqlState: state, detail: message) ?? UnknownRefusal(code: state, detail: message)
    }
}
