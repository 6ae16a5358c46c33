import Postgres
import SQLTesting
import Testing

/// gb_admin_refund: a paid or confirmed order is refunded once, with the audit row; stock comes
/// back only when it was still reserved (a paid order), a confirmed order's stays sold.
@Suite(.needsTestDatabase)
struct AdminRefundTests {
    static func refund(_ session: PostgresConnection, order: Int) async throws -> String? {
        try await session.value("SELECT refusal FROM gb_admin_refund($1::bigint, 'admin', 'req-9')", [.int(order)])
    }

    /// (group size: 2 confirms the group when both pay, 3 leaves the order paid) → stock after the refund.
    @Test(arguments: [
        (3, "paid", [SlotStock(available: 9, reserved: 1)]), (2, "confirmed", [SlotStock(available: 8, sold: 2)]),
    ])
    func refundsAPaidOrConfirmedOrderOnce(groupSize: Int, state: String, stock expected: [SlotStock]) async throws {
        let result = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: groupSize)
                let (group, order) = try await session.placedOrder(user: "buyer", deal: deal)
                let other = try await session.placedOrder(user: "other", group: group).order
                _ = try await session.pay(order: order, user: "buyer")
                if groupSize == 2 { _ = try await session.pay(order: other, user: "other") }
                let before = try await session.orderStatus(order)
                let first = try await Self.refund(session, order: order)
                let second = try await Self.refund(session, order: order)
                return (
                    before, first, second, try await session.orderStatus(order), try await session.stock(deal: deal),
                    try await session.heldQuantity(user: "buyer", deal: deal),
                    try await session.int("SELECT count(*) FROM refunds"),
                    try await session.int("SELECT count(*) FROM jobs"),
                    try await session.value(
                        "SELECT action || ' ' || (before->>'status') || '>' || (after->>'status') FROM audit_log")
                )
            }
        }
        let (before, first, second, status, stock, held, refunds, jobs, audit) = result
        #expect(before == state)
        #expect(first == nil)
        #expect(second == "GB011", "refunded once")
        #expect(status == "refund_pending")
        #expect(stock == expected)
        #expect(held == (state == "paid" ? 0 : 1), "a paid order's units leave the per-user limit with its stock")
        #expect(refunds == 1)
        #expect(jobs == 1)
        #expect(audit == "order.refund \(state)>refund_pending")
    }

    @Test(arguments: ["unpaid", "unknown"])
    func refusesAnOrderWithoutMoney(_ kind: String) async throws {
        let (refusal, refunds) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                return (
                    try await Self.refund(session, order: kind == "unknown" ? order + 1000 : order),
                    try await session.int("SELECT count(*) FROM refunds")
                )
            }
        }
        #expect(refusal == (kind == "unknown" ? "GB010" : "GB011"))
        #expect(refunds == 0)
    }
}
