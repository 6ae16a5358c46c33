import Postgres
import SQLTesting
import Testing

/// The background sweeps: gb_expire_orders, gb_fail_groups, gb_confirm_groups. Each claims
/// with SKIP LOCKED, so a group another session holds is left for the next round.
@Suite(.needsTestDatabase)
struct SweepTests {
    @Test func expiresOnlyUnpaidOrdersPastTheirWindow() async throws {
        let (swept, statuses, group, stock) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: 4)
                let (group, due) = try await session.placedOrder(user: "due", deal: deal, quantity: 2)
                let notYet = try await session.placedOrder(user: "not-yet", group: group).order
                let paid = try await session.placedOrder(user: "paid", group: group).order
                _ = try await session.pay(order: paid, user: "paid")
                for order in [due, paid] { try await session.expire(order: order) }
                let swept = try await session.int("SELECT gb_expire_orders(100)")
                var statuses: [String?] = []
                for order in [due, notYet, paid] { statuses.append(try await session.orderStatus(order)) }
                return (swept, statuses, try await session.groupState(group), try await session.stock(deal: deal))
            }
        }
        #expect(swept == 1)
        #expect(statuses == ["expired", "pending_payment", "paid"])
        #expect(group == ["open", "2", "1"], "the expired order's seat is free")
        #expect(stock == [SlotStock(available: 8, reserved: 2)])
    }

    @Test func failsAGroupPastItsTimeLimitRefundingWhoPaid() async throws {
        let (swept, statuses, group, stock, refunds) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: 3)
                let (group, unpaid) = try await session.placedOrder(user: "unpaid", deal: deal, quantity: 2)
                let paid = try await session.placedOrder(user: "paid", group: group, quantity: 3).order
                _ = try await session.pay(order: paid, user: "paid")
                try await session.expire(group: group)
                let swept = try await session.int("SELECT gb_fail_groups(100)")
                return (
                    swept, [try await session.orderStatus(unpaid), try await session.orderStatus(paid)],
                    try await session.groupState(group), try await session.stock(deal: deal),
                    try await session.rows(
                        """
                        SELECT r.amount, r.status, p.status AS payment, j.kind
                        FROM refunds r JOIN payments p ON p.id = r.payment_id
                        JOIN jobs j ON j.dedupe_key = 'refund:' || r.id
                        """
                    )
                )
            }
        }
        #expect(swept == 1)
        #expect(statuses == ["expired", "refund_pending"])
        #expect(group.first == "failed")
        #expect(stock == [SlotStock(available: 10)], "every unit of a failed group returns")
        #expect(refunds == [["amount": "4500", "status": "requested", "payment": "refund_pending", "kind": "refund"]])
    }

    /// A group every member paid succeeds, whichever sweep finds it first.
    @Test(arguments: ["gb_fail_groups", "gb_confirm_groups"])
    func aFullyPaidGroupSucceeds(sweep: String) async throws {
        let (swept, statuses, group, stock) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: 2)
                let (group, first) = try await session.placedOrder(user: "first", deal: deal)
                let second = try await session.placedOrder(user: "second", group: group, quantity: 2).order
                // Both paid and counted while the group stays open, as a crash between the last
                // payment and its confirmation would leave it.
                for order in [first, second] {
                    _ = try await session.query(
                        "SELECT gb_order_transition($1::bigint, 'pending_payment', 'paid', 'test')", [.int(order)])
                }
                _ = try await session.query("UPDATE groups SET paid_count = 2 WHERE id = $1::bigint", [.int(group)])
                if sweep == "gb_fail_groups" { try await session.expire(group: group) }
                let swept = try await session.int("SELECT \(sweep)(100)")
                return (
                    swept, [try await session.orderStatus(first), try await session.orderStatus(second)],
                    try await session.groupState(group), try await session.stock(deal: deal)
                )
            }
        }
        #expect(swept == (sweep == "gb_fail_groups" ? 0 : 1))
        #expect(statuses == ["confirmed", "confirmed"])
        #expect(group.first == "succeeded")
        #expect(stock == [SlotStock(available: 7, sold: 3)])
    }

    /// (sweep, what it finds due) → a group another session holds is skipped without waiting,
    /// and swept by the next round once free.
    @Test(arguments: [("gb_expire_orders", "order"), ("gb_fail_groups", "group")])
    func skipsAGroupAnotherSessionHolds(sweep: String, due: String) async throws {
        let (whileHeld, afterwards) = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { sweeper in
                    // A wait fails the test instead of hanging it.
                    _ = try await sweeper.query("SET lock_timeout = '10s'")
                    let deal = try await sweeper.makeDeal(slots: [5])
                    let (group, order) = try await sweeper.placedOrder(user: "buyer", deal: deal)
                    if due == "order" {
                        try await sweeper.expire(order: order)
                    } else {
                        try await sweeper.expire(group: group)
                    }
                    _ = try await holder.query("BEGIN")
                    _ = try await holder.query(
                        "SELECT 1 FROM groups WHERE id = $1::bigint FOR NO KEY UPDATE", [.int(group)])
                    let whileHeld = try await sweeper.int("SELECT \(sweep)(100)")
                    _ = try await holder.query("ROLLBACK")
                    return (whileHeld, try await sweeper.int("SELECT \(sweep)(100)"))
                }
            }
        }
        #expect(whileHeld == 0)
        #expect(afterwards == 1)
    }
}
