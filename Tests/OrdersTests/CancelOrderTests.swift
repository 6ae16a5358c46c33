import Postgres
import SQLTesting
import Testing

/// gb_cancel_order: the owner (or an admin) cancels an unpaid order; its seat, units and
/// per-user quantity come back at once.
@Suite(.needsTestDatabase)
struct CancelOrderTests {
    static func cancel(_ session: PostgresConnection, order: Int, by user: String?) async throws -> String? {
        try await session.value(
            "SELECT refusal FROM gb_cancel_order($1::bigint, $2::text)", [.int(order), .optional(user)])
    }

    /// (who cancels) → the actor recorded.
    @Test(arguments: [("member", "member"), (nil, "admin")])
    func cancellingGivesEverythingBack(by user: String?, actor: String) async throws {
        let (refusal, status, group, held, stock, history) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let group = try await session.placedOrder(user: "leader", deal: deal).group
                let order = try await session.placedOrder(user: "member", group: group, quantity: 2).order
                let refusal = try await Self.cancel(session, order: order, by: user)
                return (
                    refusal, try await session.orderStatus(order), try await session.groupState(group),
                    try await session.heldQuantity(user: "member", deal: deal), try await session.stock(deal: deal),
                    try await session.value(
                        "SELECT actor FROM order_history WHERE order_id = $1::bigint AND to_status = 'cancelled'",
                        [.int(order)]
                    )
                )
            }
        }
        #expect(refusal == nil)
        #expect(status == "cancelled")
        #expect(group == ["open", "1", "0"], "the seat is free again")
        #expect(held == 0)
        #expect(stock == [SlotStock(available: 4, reserved: 1)])
        #expect(history == actor)
    }

    /// (the order, who asks) → the refusal; nothing changes.
    @Test(arguments: [
        ("unknown", "member", "GB010"), ("theirs", "someone else", "GB010"), ("cancelled", "member", "GB011"),
        ("paid", "member", "GB011"),
    ])
    func refusesWhatItCannotCancel(order kind: String, by user: String, refusal expected: String) async throws {
        let (refusal, status) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5], groupSize: 3)
                let order = try await session.placedOrder(user: "member", deal: deal).order
                if kind == "cancelled" { _ = try await Self.cancel(session, order: order, by: "member") }
                if kind == "paid" { _ = try await session.pay(order: order, user: "member") }
                let target = kind == "unknown" ? order + 1000 : order
                return (try await Self.cancel(session, order: target, by: user), try await session.orderStatus(order))
            }
        }
        #expect(refusal == expected)
        #expect(status == ["cancelled": "cancelled", "paid": "paid"][kind] ?? "pending_payment")
    }
}
