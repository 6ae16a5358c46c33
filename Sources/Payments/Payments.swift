public import IOCore
import Orders
public import PSPWire
public import Postgres

/// Paying for orders through the provider, applying its webhooks, and the outbox of refunds.
public struct Payments: Sendable {
    public let pools: PostgresPools
    /// nil when no provider is configured: paying answers that payments are unavailable.
    public let provider: (any PaymentProvider)?

    public init(pools: PostgresPools, provider: (any PaymentProvider)?) {
        self.pools = pools
        self.provider = provider
    }

    public enum Failure: Error, Sendable, Equatable {
        /// No provider is configured.
        case notConfigured
        /// The provider failed or did not answer; the same request may be retried.
        case providerUnavailable(String)
        /// The provider refused (its answer is the detail).
        case providerRefused(String)
    }

    /// The order's payment with the provider's intent: made on the first call, the same one
    /// afterwards (one payment per order; the provider's idempotency key is our payment id,
    /// so a retry after a lost answer finds the same intent). Answers the payment's JSON.
    public func pay(orderID: Int64, user: String, on loop: EventLoop) async throws -> String {
        guard let provider else { throw Failure.notConfigured }
        let pool = pools.pool(for: loop)
        let payment = try await pool.withConnection { connection in
            try await OrdersStore.refusalsTranslated {
                try await connection.execute(PaymentsStatements.beginPayment.name, [.int(Int(orderID)), .text(user)])
            }
        }[0]
        let paymentID = payment.int(0) ?? 0
        var intentID = payment.string(1)
        if intentID == nil {
            // No connection is held while the provider answers.
            do {
                intentID = try await provider.createIntent(
                    amount: payment.int(2) ?? 0, currency: payment.string(3) ?? "",
                    metadata: ["payment_id": String(paymentID), "order_id": String(orderID)], idempotencyKey: "payment-\(paymentID)"
                ).id
            } catch let failure as RetryableFailure where failure.isRetryable {
                throw Failure.providerUnavailable("\(failure)")
            } catch {
                throw Failure.providerRefused("\(error)")
            }
        }
        return try await pool.withConnection { connection in
            try await OrdersStore.refusalsTranslated {
                try await connection.execute(PaymentsStatements.attachIntent.name, [.int(paymentID), .text(intentID ?? "")])[0].string(0) ?? "null"
            }
        }
    }

    /// Applies a verified provider event exactly once; answers the outcome (e.g. "order_paid",
    /// "duplicate", "already_applied").
    public func apply(_ event: PSPEvent, json: String, on loop: EventLoop) async throws -> String {
        var paymentID: PostgresValue = .null
        var intentID = ""
        var amount = 0
        var refundID: PostgresValue = .null
        switch event.data.object {
        case .paymentIntent(let intent):
            intentID = intent.id
            amount = intent.amount
            if let id = intent.metadata["payment_id"].flatMap(Int.init) { paymentID = .int(id) }
        case .refund(let refund):
            intentID = refund.paymentIntent
            amount = refund.amount
            refundID = .text(refund.id)
        }
        let parameters: [PostgresValue] = [.text(event.id), .text(event.type.rawValue), paymentID, .text(intentID), .int(amount), refundID, .text(json)]
        return try await pools.pool(for: loop).withConnection { connection in
            try await OrdersStore.refusalsTranslated {
                try await connection.execute(PaymentsStatements.applyEvent.name, parameters)[0].string(0) ?? "unknown"
            }
        }
    }
}
