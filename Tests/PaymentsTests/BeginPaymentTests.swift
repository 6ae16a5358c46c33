import Postgres
import SQLTesting
import Testing

/// gb_begin_payment and gb_attach_intent: one payment per order, for its owner while the
/// window is open, linked to one provider intent.
@Suite(.needsTestDatabase)
struct BeginPaymentTests {
    @Test func theOwnerGetsOnePaymentForTheOrdersAmount() async throws {
        let (first, again, rows) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupPrice: 1300)
                let order = try await session.placedOrder(user: "buyer", deal: deal, quantity: 2).order
                let first = try await session.beginPayment(order: order, user: "buyer")
                let again = try await session.beginPayment(order: order, user: "buyer")
                return (
                    first, again, try await session.rows("SELECT amount, currency, status, intent_id FROM payments")
                )
            }
        }
        #expect(first.refusal == nil)
        #expect(first.amount == 2600)
        #expect(again.payment == first.payment)
        #expect(rows == [["amount": "2600", "currency": "EUR", "status": "creating", "intent_id": nil]])
    }

    /// (the order, who pays) → the refusal; no payment is made.
    @Test(arguments: [
        ("unknown", "buyer", "GB010"), ("theirs", "someone else", "GB010"), ("cancelled", "buyer", "GB011"),
        ("window closed", "buyer", "GB015"),
    ])
    func refusesWhatCannotBePaid(order kind: String, by user: String, refusal expected: String) async throws {
        let (begun, payments) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                if kind == "cancelled" {
                    _ = try await session.query("SELECT gb_cancel_order($1::bigint, 'buyer')", [.int(order)])
                }
                if kind == "window closed" { try await session.expire(order: order) }
                let begun = try await session.beginPayment(order: kind == "unknown" ? order + 1000 : order, user: user)
                return (begun, try await session.int("SELECT count(*) FROM payments"))
            }
        }
        #expect(begun.refusal == expected)
        #expect(begun.payment == nil)
        #expect(payments == 0)
    }

    /// (intent linked first, intent linked next) → the second link's refusal: the provider's
    /// retry with the same key answers the same intent; another one is refused.
    @Test(arguments: [("pi_a", "pi_a", nil), ("pi_a", "pi_b", "GB011")])
    func aPaymentKeepsItsFirstIntent(first: String, next: String, refusal expected: String?) async throws {
        let (refusal, intent) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                let payment = try #require(try await session.beginPayment(order: order, user: "buyer").payment)
                #expect(try await session.attachIntent(payment: payment, intent: first) == nil)
                return (
                    try await session.attachIntent(payment: payment, intent: next),
                    try await session.rows("SELECT intent_id, status FROM payments")
                )
            }
        }
        #expect(refusal == expected)
        #expect(intent == [["intent_id": first, "status": "requires_confirmation"]])
    }

    /// The provider answered an intent that another payment has (a provider reusing ids): refused
    /// and counted, so the next try asks it under a fresh key; nothing else changes.
    @Test func anIntentOfAnotherPaymentIsRefusedAndCounted() async throws {
        let (refusal, rows) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let first = try await session.placedOrder(user: "first", deal: deal).order
                let second = try await session.placedOrder(user: "second", deal: deal).order
                let taken = try #require(try await session.beginPayment(order: first, user: "first").payment)
                let payment = try #require(try await session.beginPayment(order: second, user: "second").payment)
                _ = try await session.attachIntent(payment: taken, intent: "pi_same")
                let refusal = try await session.attachIntent(payment: payment, intent: "pi_same")
                return (
                    refusal,
                    try await session.rows(
                        "SELECT intent_id, status, intent_attempts FROM payments WHERE id = $1::bigint", [.int(payment)]
                    )
                )
            }
        }
        #expect(refusal == "GB016")
        #expect(rows == [["intent_id": nil, "status": "creating", "intent_attempts": "1"]])
    }
}
