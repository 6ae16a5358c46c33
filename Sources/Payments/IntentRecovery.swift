import PSPWire
public import Postgres

/// Finishes pay calls that stopped halfway. `pay` asks the provider for an intent and then
/// records its id; when PostgreSQL went away in between (or the process died, or the buyer
/// gave up after a 503), the provider holds an intent we do not know, and the payment stays
/// `creating`. This job asks the provider again for every such payment older than the grace
/// period — the same request under the same idempotency key, so it answers the intent it
/// made (or makes the first one, if the earlier call never reached it) — and records it. An
/// intent nobody can confirm is harmless; an intent we do not know is a reconciliation
/// mismatch, and a charge we could not match to its order.
///
/// Safe on any number of instances at once: the request is idempotent at the provider and
/// recording the same intent id twice changes nothing.
public struct IntentRecovery: Sendable {
    public struct Settings: Sendable {
        public var batchSize = 20
        /// Longer than a pay call can take (its provider timeout), so a call still under way
        /// is left to finish by itself.
        public var graceSeconds = 60

        public init() {}
    }

    public let settings: Settings
    public let payments: PaymentsService
    public let provider: any PaymentProvider

    public init(settings: Settings, payments: PaymentsService, provider: any PaymentProvider) {
        self.settings = settings
        self.payments = payments
        self.provider = provider
    }

    /// One batch; answers how many payments it looked at. A provider that cannot be reached
    /// ends the batch (the next period tries again); a refusal skips that payment.
    public func runBatch(pool: PostgresPool) async throws -> Int {
        let rows = try await pool.withConnection { connection in
            try await connection.execute(PaymentsStatements.paymentsWithoutIntent.name, [.int(settings.batchSize), .int(settings.graceSeconds)])
        }
        for index in 0..<rows.count {
            let row = rows[index]
            let pending = PaymentsService.PendingPayment(
                id: row.int(0) ?? 0, orderID: row.int(1) ?? 0, amount: row.int(2) ?? 0, currency: row.string(3) ?? "",
                intentAttempts: row.int(4) ?? 0
            )
            let intent: String
            do {
                intent = try await payments.requestIntent(for: pending, from: provider).id
            } catch let failure as RetryableFailure where failure.isRetryable {
                throw failure
            } catch {
                continue
            }
            // An id taken by another payment is counted by gb_attach_intent: the next round asks
            // under a fresh key. Any other refusal leaves the payment as it is.
            _ = try await payments.attach(intent, to: pending.id, pool: pool)
        }
        return rows.count
    }
}
