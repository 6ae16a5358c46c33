public import IOCore
import Orders
public import PSPWire
public import Postgres

/// Paying for orders through the provider, applying its webhooks, and the outbox of refunds.
public struct PaymentsService: Sendable {
    let pools: PostgresPools
    /// nil when no provider is configured: paying answers that payments are unavailable.
    public let provider: (any PaymentProvider)?
    /// Told of every signed event whose money does not match its payment (to log it).
    let onMismatch: @Sendable (WebhookMismatch) -> Void

    public init(
        pools: PostgresPools, provider: (any PaymentProvider)?, onMismatch: @escaping @Sendable (WebhookMismatch) -> Void = { _ in }
    ) {
        self.pools = pools
        self.provider = provider
        self.onMismatch = onMismatch
    }

    /// The outcomes of `apply` that are a `WebhookMismatch`.
    public static let mismatchOutcomes: Set<String> = ["intent_mismatch", "amount_mismatch", "currency_mismatch"]

    /// The refusal of `gb_attach_intent` for an intent id that belongs to another payment.
    static let intentTakenRefusal = "GB016"

    /// The order's payment with the provider's intent: made on the first call, the same one
    /// afterwards (one payment per order; the provider's idempotency key is our payment id,
    /// so a retry after a lost answer finds the same intent). Answers the payment's JSON.
    public func pay(orderID: Int64, user: String, on loop: EventLoop) async throws -> String {
        guard let provider else { throw PaymentsError.notConfigured }
        let pool = pools.pool(for: loop)
        let payment = try await pool.withConnection { connection in
            try await translatingRefusals {
                let rows = try await connection.execute(
                    PaymentsStatements.beginPayment.name, [.int(Int(orderID)), .text(user)]
                )
                try rows[0].throwIfRefused(code: 0, detail: 1)
                return rows[0]
            }
        }
        let pending = PendingPayment(
            id: payment.int(2) ?? 0, orderID: Int(orderID), amount: payment.int(4) ?? 0, currency: payment.string(5) ?? "",
            intentAttempts: payment.int(6) ?? 0
        )
        var intentID = payment.string(3)
        if intentID == nil {
            // No connection is held while the provider answers.
            do {
                intentID = try await requestIntent(for: pending, from: provider).id
            } catch let failure as RetryableFailure where failure.isRetryable {
                throw PaymentsError.providerUnavailable("\(failure)")
            } catch {
                throw PaymentsError.providerRefused("\(error)")
            }
        }
        let attached = try await attach(intentID ?? "", to: pending.id, pool: pool)
        // The provider reused an id (the payment stays `creating`; the next call asks with a fresh key).
        if attached.string(0) == Self.intentTakenRefusal { throw PaymentsError.providerRefused(attached.string(1) ?? "") }
        try attached.throwIfRefused(code: 0, detail: 1)
        return attached.string(1) ?? "null"
    }

    /// A payment whose provider intent is not recorded yet.
    struct PendingPayment: Sendable {
        let id: Int
        let orderID: Int
        let amount: Int
        let currency: String
        let intentAttempts: Int
    }

    /// Asks the provider for the payment's intent. The same payment always sends the same
    /// request under the same key, so the provider answers the intent it made the first time
    /// (after a lost answer, or from `IntentRecovery`) rather than a second one.
    func requestIntent(for payment: PendingPayment, from provider: any PaymentProvider) async throws -> PaymentIntent {
        try await provider.createIntent(
            amount: payment.amount, currency: payment.currency,
            metadata: ["payment_id": String(payment.id), "order_id": String(payment.orderID)],
            idempotencyKey: Self.intentKey(paymentID: payment.id, attempt: payment.intentAttempts)
        )
    }

    /// Records the provider's intent id on the payment; answers `gb_attach_intent`'s row
    /// (refusal, body).
    func attach(_ intentID: String, to paymentID: Int, pool: PostgresPool) async throws -> PostgresRow {
        try await pool.withConnection { connection in
            try await translatingRefusals {
                try await connection.execute(PaymentsStatements.attachIntent.name, [.int(paymentID), .text(intentID)])[0]
            }
        }
    }

    /// The provider's idempotency key for the intent of a payment: `payment-<id>`, then
    /// `payment-<id>-<n>` after the provider answered n intents that belonged to other payments.
    static func intentKey(paymentID: Int, attempt: Int) -> String {
        attempt == 0 ? "payment-\(paymentID)" : "payment-\(paymentID)-\(attempt)"
    }

    /// Applies a verified provider event exactly once; answers the outcome (e.g. "order_paid",
    /// "duplicate", "already_applied", or a mismatch of `mismatchOutcomes`).
    public func apply(_ event: PSPEvent, json: String, on loop: EventLoop) async throws -> String {
        var paymentID: Int?
        var intentID = ""
        var amount = 0
        var currency: String?
        var refundID: PostgresValue = .null
        switch event.data.object {
        case .paymentIntent(let intent):
            intentID = intent.id
            amount = intent.amount
            currency = intent.currency
            paymentID = intent.metadata["payment_id"].flatMap(Int.init)
        case .refund(let refund):
            intentID = refund.paymentIntent
            amount = refund.amount
            refundID = .text(refund.id)
        }
        let parameters: [PostgresValue] = [
            .text(event.id), .text(event.type.rawValue), paymentID.map { .int($0) } ?? .null, .text(intentID), .int(amount),
            .optional(currency), refundID, .text(json),
        ]
        let outcome = try await pools.pool(for: loop).withConnection { connection in
            try await translatingRefusals {
                try await connection.execute(PaymentsStatements.applyEvent.name, parameters)[0].string(0) ?? "unknown"
            }
        }
        if Self.mismatchOutcomes.contains(outcome) {
            onMismatch(
                WebhookMismatch(
                    outcome: outcome, eventID: event.id, eventType: event.type.rawValue, paymentID: paymentID, intentID: intentID,
                    amount: amount, currency: currency
                )
            )
        }
        return outcome
    }
}
