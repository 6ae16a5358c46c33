import Postgres
import SQLTesting
import Testing

/// Refunds: requested once per payment (gb_request_refund, with its outbox job), and the
/// provider's refund.succeeded applied once, for the refund's amount only.
@Suite(.needsTestDatabase)
struct RefundTests {
    /// A paid order in a group of 3 (so it stays paid), refunded by an admin.
    static func refunded(_ session: PostgresConnection) async throws -> AwaitingPayment {
        let deal = try await session.makeDeal(slots: [5], groupSize: 3)
        let awaiting = try await session.awaitingPayment(user: "buyer", deal: deal, quantity: 2)
        _ = try await session.applyEvent(
            "evt_paid", "payment_intent.succeeded", payment: awaiting.payment, intent: awaiting.intent,
            amount: awaiting.amount
        )
        _ = try await session.query("SELECT gb_admin_refund($1::bigint, 'admin', NULL)", [.int(awaiting.order)])
        return awaiting
    }

    @Test func aRefundIsRequestedOncePerPayment() async throws {
        let counts = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let awaiting = try await Self.refunded(session)
                for _ in 0..<2 {
                    _ = try await session.query(
                        "SELECT gb_request_refund($1::bigint, 'again')", [.int(awaiting.payment)])
                }
                return [
                    try await session.int("SELECT count(*) FROM refunds"),
                    try await session.int("SELECT count(*) FROM jobs"),
                ]
            }
        }
        #expect(counts == [1, 1])
    }

    @Test func theProvidersRefundIsAppliedOnce() async throws {
        let (outcomes, state, refund) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let awaiting = try await Self.refunded(session)
                var outcomes: [String?] = []
                for event in ["evt_r1", "evt_r1", "evt_r2"] {
                    outcomes.append(
                        try await session.applyEvent(
                            event, "refund.succeeded", payment: awaiting.payment, intent: awaiting.intent,
                            amount: awaiting.amount,
                            currency: nil, providerRefund: "re_1"
                        ))
                }
                return (
                    outcomes, try await session.paymentState(awaiting),
                    try await session.rows("SELECT status, provider_refund_id FROM refunds")
                )
            }
        }
        #expect(outcomes == ["refunded", "duplicate", "already_applied"])
        #expect(state[0...1] == ["refunded", "refunded"])
        #expect(refund == [["status": "succeeded", "provider_refund_id": "re_1"]])
    }

    /// (what the refund event says) → its outcome; none of them changes anything.
    @Test(arguments: [
        ("another amount", "amount_mismatch"), ("another intent", "intent_mismatch"),
        ("no refund asked", "unknown_refund"),
    ])
    func aRefundEventThatIsNotOursChangesNothing(_ what: String, outcome expected: String) async throws {
        let (outcome, state, refunds) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let awaiting: AwaitingPayment
                if what == "no refund asked" {
                    let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                    awaiting = try await session.awaitingPayment(user: "buyer", deal: deal, quantity: 2)
                } else {
                    awaiting = try await Self.refunded(session)
                }
                let outcome = try await session.applyEvent(
                    "evt_r", "refund.succeeded", payment: awaiting.payment,
                    intent: what == "another intent" ? "pi_other" : awaiting.intent,
                    amount: what == "another amount" ? 1 : awaiting.amount, currency: nil, providerRefund: "re_1"
                )
                return (
                    outcome, try await session.paymentState(awaiting),
                    try await session.rows("SELECT status FROM refunds")
                )
            }
        }
        #expect(outcome == expected)
        if what == "no refund asked" {
            #expect(state[0...1] == ["pending_payment", "requires_confirmation"])
            #expect(refunds == [])
        } else {
            #expect(state[0...1] == ["refund_pending", "refund_pending"])
            #expect(refunds == [["status": "requested"]])
        }
    }
}
