package import Postgres

/// What `gb_begin_payment` answered.
package struct PaymentBegun: Sendable {
    package let refusal: String?
    package let payment: Int?
    package let amount: Int?
}

extension PostgresConnection {
    package func beginPayment(order: Int, user: String) async throws -> PaymentBegun {
        let rows = try await query(
            "SELECT b.refusal, (b.payment).id, (b.payment).amount FROM gb_begin_payment($1::bigint, $2::text) b",
            [.int(order), .text(user)]
        )
        return PaymentBegun(refusal: rows[0].string(0), payment: rows[0].int(1), amount: rows[0].int(2))
    }

    /// Links `intent` to the payment; answers the refusal, nil when linked.
    package func attachIntent(payment: Int, intent: String) async throws -> String? {
        try await value("SELECT refusal FROM gb_attach_intent($1::bigint, $2::text)", [.int(payment), .text(intent)])
    }

    /// Applies one provider event as the webhook handler does; answers its outcome.
    package func applyEvent(
        _ id: String, _ type: String, payment: Int?, intent: String, amount: Int, currency: String? = "EUR",
        providerRefund: String? = nil
    ) async throws -> String? {
        try await value(
            """
            SELECT gb_apply_payment_event($1::text, $2::text, $3::bigint, $4::text, $5::bigint, $6::text, $7::text,
                                          '{}'::jsonb)
            """,
            [
                .text(id), .text(type), payment.map { .int($0) } ?? .null, .text(intent), .int(amount),
                .optional(currency), .optional(providerRefund),
            ]
        )
    }

    /// Pays `order` in full as a buyer and the provider would: the payment begun, intent
    /// `pi_<payment>` linked, its `payment_intent.succeeded` event applied. Answers the payment
    /// and the event's outcome.
    package func pay(order: Int, user: String) async throws -> (payment: Int, outcome: String?) {
        let begun = try await beginPayment(order: order, user: user)
        guard let payment = begun.payment, let amount = begun.amount else {
            throw FixtureFailure("order \(order) cannot be paid: \(begun.refusal ?? "?")")
        }
        _ = try await attachIntent(payment: payment, intent: "pi_\(payment)")
        let outcome = try await applyEvent(
            "evt_paid_\(payment)", "payment_intent.succeeded", payment: payment, intent: "pi_\(payment)", amount: amount
        )
        return (payment, outcome)
    }
}
