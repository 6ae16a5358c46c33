public import PSPClient
public import PSPWire

/// What the service needs from a card provider. `PSPClient` (the psp-sandbox's and any
/// Stripe-like provider's API) is the implementation; tests and other providers plug in here.
public protocol PaymentProvider: Sendable {
    /// Creates (or, for the same key, finds again) an intent to charge `amount`.
    func createIntent(amount: Int, currency: String, metadata: [String: String], idempotencyKey: String) async throws -> PaymentIntent
    /// Refunds an intent; the same key never refunds twice.
    func refund(intentID: String, amount: Int, idempotencyKey: String) async throws -> Refund
    /// Intents in creation order after `after`, for reconciliation.
    func intents(after: String?, limit: Int) async throws -> (intents: [PaymentIntent], hasMore: Bool)
    /// One intent as the provider has it now (with its client secret).
    func intent(id: String) async throws -> PaymentIntent
}

/// A provider failure that says whether the same call (same idempotency key) may succeed later.
public protocol RetryableFailure: Error {
    var isRetryable: Bool { get }
}

extension PSPClientError: RetryableFailure {}

extension PSPClient: PaymentProvider {
    public func intents(after: String?, limit: Int) async throws -> (intents: [PaymentIntent], hasMore: Bool) {
        let page = try await listIntents(after: after, limit: limit)
        return (page.data, page.hasMore)
    }
}
