/// Why an order or group operation was refused. The SQL functions answer refusals as SQLSTATEs
/// of class GB (migrations/0004_dependable_orders.sql; the transition triggers raise them);
/// `detail` is their message. Idempotency-Key refusals are `IdempotencyError`s.
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
    case paymentWindowClosed(String)

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
        case "GB015": self = .paymentWindowClosed(detail)
        default: return nil
        }
    }
}
