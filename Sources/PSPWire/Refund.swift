/// A refund of (part of) a succeeded payment intent.
public struct Refund: Codable, Sendable, Equatable {
    public var id: String
    /// Always "refund".
    public var object: String
    public var status: RefundStatus
    /// The payment intent refunded.
    public var paymentIntent: String
    /// Minor units, > 0.
    public var amount: Int
    /// Unix seconds.
    public var created: Int64

    public init(id: String, status: RefundStatus, paymentIntent: String, amount: Int, created: Int64) {
        self.id = id
        self.object = "refund"
        self.status = status
        self.paymentIntent = paymentIntent
        self.amount = amount
        self.created = created
    }

    enum CodingKeys: String, CodingKey {
        case id, object, status, amount, created
        case paymentIntent = "payment_intent"
    }
}

/// Where a refund stands: accepted, then settled shortly after.
public enum RefundStatus: String, Codable, Sendable {
    case pending
    case succeeded
}
