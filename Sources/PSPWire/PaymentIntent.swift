/// A payment intent as the provider shows it: one attempt to take `amount` from a card.
public struct PaymentIntent: Codable, Sendable, Equatable {
    public var id: String
    /// Always "payment_intent".
    public var object: String
    public var status: PaymentIntentStatus
    /// Minor units (cents), > 0.
    public var amount: Int
    /// ISO 4217 code, upper case ("EUR").
    public var currency: String
    public var metadata: [String: String]
    /// Unix seconds.
    public var created: Int64
    /// Minor units refunded so far (pending and succeeded refunds).
    public var amountRefunded: Int
    /// What the buyer's app confirms the intent with instead of the secret API key; only in
    /// answers to the API-key holder, never in webhooks.
    public var clientSecret: String?

    public init(
        id: String, status: PaymentIntentStatus, amount: Int, currency: String, metadata: [String: String],
        created: Int64, amountRefunded: Int = 0, clientSecret: String? = nil
    ) {
        self.id = id
        self.object = "payment_intent"
        self.status = status
        self.amount = amount
        self.currency = currency
        self.metadata = metadata
        self.created = created
        self.amountRefunded = amountRefunded
        self.clientSecret = clientSecret
    }

    enum CodingKeys: String, CodingKey {
        case id, object, status, amount, currency, metadata, created
        case amountRefunded = "amount_refunded"
        case clientSecret = "client_secret"
    }
}

/// Where a payment intent stands.
public enum PaymentIntentStatus: String, Codable, Sendable {
    /// Created, not confirmed yet.
    case requiresConfirmation = "requires_confirmation"
    /// The last confirmation was declined; it may be confirmed again with another method.
    case requiresPaymentMethod = "requires_payment_method"
    /// The money was taken.
    case succeeded
}

/// Payment methods the sandbox knows.
public enum PaymentMethod {
    /// A card that pays.
    public static let cardOK = "pm_card_ok"
    /// A card the issuer declines.
    public static let cardDeclined = "pm_card_declined"
}
