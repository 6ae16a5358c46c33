/// A signed provider event that named one of our payments but other money: recorded with
/// this outcome, nothing changed, and reported by reconciliation.
public struct WebhookMismatch: Sendable, Equatable {
    /// `intent_mismatch`, `amount_mismatch` or `currency_mismatch`.
    public var outcome: String
    public var eventID: String
    public var eventType: String
    /// Ours, from the event's metadata (nil when the event was matched by its intent id).
    public var paymentID: Int?
    /// As the event says.
    public var intentID: String
    public var amount: Int
    public var currency: String?
}
