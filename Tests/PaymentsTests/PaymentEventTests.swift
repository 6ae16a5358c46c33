import Postgres
import SQLTesting
import Testing

/// gb_apply_payment_event with payment events: applied once whatever the redeliveries, only
/// when the money matches, and a payment that comes too late is given back.
@Suite(.needsTestDatabase)
struct PaymentEventTests {
    @Test func aSucceededPaymentIsAppliedOnceHoweverOftenItComes() async throws {
        let (outcomes, state, history, recorded) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let awaiting = try await session.awaitingPayment(user: "buyer", deal: deal)
                var outcomes: [String?] = []
                for event in ["evt_1", "evt_1", "evt_2"] {
                    outcomes.append(
                        try await session.applyEvent(
                            event, "payment_intent.succeeded", payment: awaiting.payment, intent: awaiting.intent,
                            amount: awaiting.amount
                        ))
                }
                return (
                    outcomes, try await session.paymentState(awaiting),
                    try await session.int("SELECT count(*) FROM order_history WHERE to_status = 'paid'"),
                    try await session.rows("SELECT event_id, outcome FROM payment_events ORDER BY event_id")
                )
            }
        }
        #expect(outcomes == ["order_paid", "duplicate", "already_applied"])
        #expect(state == ["paid", "succeeded", "open", "1", "1"])
        #expect(history == 1)
        #expect(
            recorded == [
                ["event_id": "evt_1", "outcome": "order_paid"], ["event_id": "evt_2", "outcome": "already_applied"],
            ])
    }

    struct Money: Sendable, CustomTestStringConvertible {
        var what: String
        var intent: String?  // nil: the payment's own
        var amount: Int?  // nil: the payment's own
        var currency: String?
        var outcome: String

        var testDescription: String { "\(what) → \(outcome)" }
    }

    static let money = [
        Money(what: "as paid", currency: "EUR", outcome: "order_paid"),
        Money(what: "currency in lower case", currency: "eur", outcome: "order_paid"),
        Money(what: "another amount", amount: 1, currency: "EUR", outcome: "amount_mismatch"),
        Money(what: "another currency", currency: "USD", outcome: "currency_mismatch"),
        Money(what: "no currency", currency: nil, outcome: "currency_mismatch"),
        Money(what: "another intent", intent: "pi_other", currency: "EUR", outcome: "intent_mismatch"),
    ]

    /// An event whose money is not the payment's changes nothing; its outcome says why.
    @Test(arguments: money)
    func appliesOnlyWhenTheMoneyMatches(_ money: Money) async throws {
        let (outcome, state, recorded) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let awaiting = try await session.awaitingPayment(user: "buyer", deal: deal)
                let outcome = try await session.applyEvent(
                    "evt_1", "payment_intent.succeeded", payment: awaiting.payment,
                    intent: money.intent ?? awaiting.intent,
                    amount: money.amount ?? awaiting.amount, currency: money.currency
                )
                return (
                    outcome, try await session.paymentState(awaiting),
                    try await session.value("SELECT outcome FROM payment_events WHERE event_id = 'evt_1'")
                )
            }
        }
        let applied = money.outcome == "order_paid"
        #expect(outcome == money.outcome)
        #expect(recorded == money.outcome)
        #expect(
            state
                == (applied
                    ? ["paid", "succeeded", "open", "1", "1"]
                    : ["pending_payment", "requires_confirmation", "open", "1", "0"]))
    }

    /// A payment still without an intent (the pay call stopped before recording it) takes the
    /// event's, unless another payment has that intent.
    @Test(arguments: [(false, "order_paid"), (true, "intent_mismatch")])
    func aPaymentWithoutIntentTakesTheEventsUnlessAnotherHasIt(
        anotherHasIt: Bool, outcome expected: String
    ) async throws {
        let (outcome, intent) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                let begun = try await session.beginPayment(order: order, user: "buyer")
                let payment = try #require(begun.payment)
                if anotherHasIt { _ = try await session.awaitingPayment(user: "other", deal: deal) }
                if anotherHasIt {
                    _ = try await session.query(
                        "UPDATE payments SET intent_id = 'pi_event' WHERE id <> $1::bigint", [.int(payment)])
                }
                let outcome = try await session.applyEvent(
                    "evt_1", "payment_intent.succeeded", payment: payment, intent: "pi_event",
                    amount: try #require(begun.amount)
                )
                return (
                    outcome,
                    try await session.value("SELECT intent_id FROM payments WHERE id = $1::bigint", [.int(payment)])
                )
            }
        }
        #expect(outcome == expected)
        #expect(intent == (anotherHasIt ? nil : "pi_event"))
    }

    @Test func theLastMemberToPayConfirmsTheGroup() async throws {
        let (outcomes, statuses, group, stock) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: 2)
                let first = try await session.awaitingPayment(user: "first", deal: deal, quantity: 2)
                let second = try await session.awaitingPayment(user: "second", group: first.group, quantity: 3)
                var outcomes: [String?] = []
                for awaiting in [first, second] {
                    outcomes.append(
                        try await session.applyEvent(
                            "evt_\(awaiting.payment)", "payment_intent.succeeded", payment: awaiting.payment,
                            intent: awaiting.intent,
                            amount: awaiting.amount
                        ))
                }
                return (
                    outcomes,
                    [try await session.orderStatus(first.order), try await session.orderStatus(second.order)],
                    try await session.groupState(first.group), try await session.stock(deal: deal)
                )
            }
        }
        #expect(outcomes == ["order_paid", "group_succeeded"])
        #expect(statuses == ["confirmed", "confirmed"])
        #expect(group == ["succeeded", "2", "2"])
        #expect(stock == [SlotStock(available: 5, sold: 5)])
    }

    /// Money for an order that can no longer be paid (its window closed, or its group failed)
    /// is given back: the order ends, its stock returns, a refund is requested.
    @Test(arguments: ["window closed", "group failed"])
    func aLatePaymentIsGivenBack(_ why: String) async throws {
        let (outcome, status, stock, refunds) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let awaiting = try await session.awaitingPayment(user: "buyer", deal: deal, quantity: 2)
                if why == "window closed" {
                    try await session.expire(order: awaiting.order)
                } else {
                    try await session.expire(group: awaiting.group)
                    #expect(try await session.int("SELECT gb_fail_groups(10)") == 1)
                }
                let outcome = try await session.applyEvent(
                    "evt_1", "payment_intent.succeeded", payment: awaiting.payment, intent: awaiting.intent,
                    amount: awaiting.amount
                )
                return (
                    outcome, try await session.orderStatus(awaiting.order), try await session.stock(deal: deal),
                    try await session.rows(
                        """
                        SELECT r.amount, r.status, j.kind FROM refunds r JOIN jobs j ON j.dedupe_key = 'refund:' || r.id
                        """
                    )
                )
            }
        }
        #expect(outcome == "refund_late_payment")
        #expect(status == "expired")
        #expect(stock == [SlotStock(available: 5)])
        #expect(refunds == [["amount": "3000", "status": "requested", "kind": "refund"]])
    }

    /// (events in order) → their outcomes: a failed payment may be retried and succeed; nothing
    /// moves a succeeded payment back.
    @Test(arguments: [
        (
            ["payment_intent.payment_failed", "payment_intent.succeeded"], ["payment_failed", "order_paid"], "succeeded"
        ),
        (
            ["payment_intent.succeeded", "payment_intent.payment_failed"], ["order_paid", "already_applied"],
            "succeeded"
        ),
        (
            ["payment_intent.payment_failed", "payment_intent.payment_failed"], ["payment_failed", "already_applied"],
            "failed"
        ),
        (["charge.dispute.created"], ["ignored"], "requires_confirmation"),
    ])
    func eventsOnlyMoveAPaymentForward(
        types: [String], outcomes expected: [String], payment status: String
    ) async throws {
        let (outcomes, state) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let awaiting = try await session.awaitingPayment(user: "buyer", deal: deal)
                var outcomes: [String?] = []
                for (index, type) in types.enumerated() {
                    outcomes.append(
                        try await session.applyEvent(
                            "evt_\(index)", type, payment: awaiting.payment, intent: awaiting.intent,
                            amount: awaiting.amount
                        ))
                }
                return (outcomes, try await session.paymentState(awaiting))
            }
        }
        #expect(outcomes == expected)
        #expect(state[1] == status)
    }

    @Test func anEventForAnUnknownPaymentIsRecordedOnce() async throws {
        let (outcomes, recorded) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                var outcomes: [String?] = []
                for _ in 0..<2 {
                    outcomes.append(
                        try await session.applyEvent(
                            "evt_x", "payment_intent.succeeded", payment: nil, intent: "pi_nobody", amount: 100))
                }
                return (outcomes, try await session.rows("SELECT outcome, payment_id FROM payment_events"))
            }
        }
        #expect(outcomes == ["unknown_payment", "duplicate"])
        #expect(recorded == [["outcome": "unknown_payment", "payment_id": nil]])
    }
}
