import Postgres
import SQLTesting

/// An order whose payment is begun and linked to intent `pi_<payment>`, waiting for the provider's event.
struct AwaitingPayment {
    let group: Int
    let order: Int
    let payment: Int
    let amount: Int
    var intent: String { "pi_\(payment)" }
}

extension PostgresConnection {
    func awaitingPayment(
        user: String, deal: Int? = nil, group: Int? = nil, quantity: Int = 1
    ) async throws -> AwaitingPayment {
        let placed = try await placedOrder(user: user, deal: deal, group: group, quantity: quantity)
        let begun = try await beginPayment(order: placed.order, user: user)
        guard let payment = begun.payment, let amount = begun.amount else {
            throw FixtureFailure("no payment: \(begun.refusal ?? "?")")
        }
        _ = try await attachIntent(payment: payment, intent: "pi_\(payment)")
        return AwaitingPayment(group: placed.group, order: placed.order, payment: payment, amount: amount)
    }

    /// The order's, its payment's and its group's statuses, and the group's paid members.
    func paymentState(_ awaiting: AwaitingPayment) async throws -> [String?] {
        [
            try await orderStatus(awaiting.order),
            try await value("SELECT status FROM payments WHERE id = $1::bigint", [.int(awaiting.payment)]),
        ] + (try await groupState(awaiting.group)).map { $0 }
    }
}
