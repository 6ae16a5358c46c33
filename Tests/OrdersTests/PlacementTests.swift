import Postgres
import SQLTesting
import Testing

/// What gb_order_in_group writes when it places an order, starting a group or joining one.
@Suite(.needsTestDatabase)
struct PlacementTests {
    /// The rows of one placed order: order, its group, membership, history and reservation.
    static let placedRows = """
        SELECT o.status, o.quantity, o.unit_price, o.amount, o.currency, g.leader_user_id, g.size,
               o.expires_at = least(o.created_at + interval '900 seconds', g.expires_at) AS window_right,
               (SELECT count(*) FROM group_members m WHERE m.order_id = o.id AND m.user_id = o.user_id) AS seats,
               (SELECT string_agg(coalesce(h.from_status, '-') || '>' || h.to_status || ' ' || h.actor, ',')
                FROM order_history h WHERE h.order_id = o.id) AS history,
               (SELECT sum(r.quantity) FROM reservations r WHERE r.order_id = o.id) AS reserved
        FROM orders o JOIN groups g ON g.id = o.group_id WHERE o.id = $1::bigint
        """

    @Test func startingAndJoiningWriteTheSameOrderAndTakeASeatEach() async throws {
        let (started, joined, group, held, stock) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [10], groupSize: 3, groupPrice: 1200)
                let start = try await session.placeOrder(user: "leader", deal: deal, quantity: 2)
                #expect(start.statusCode == 201)
                let group = try #require(start.group)
                let join = try await session.placeOrder(user: "member", group: group, quantity: 3)
                #expect(join.statusCode == 201)
                #expect(join.group == group)
                let started = try await session.rows(Self.placedRows, [.int(try #require(start.order))])
                let joined = try await session.rows(Self.placedRows, [.int(try #require(join.order))])
                return (
                    started, joined, try await session.groupState(group),
                    [
                        try await session.heldQuantity(user: "leader", deal: deal),
                        try await session.heldQuantity(user: "member", deal: deal),
                    ],
                    try await session.stock(deal: deal)
                )
            }
        }
        func row(quantity: Int, user: String) -> [String: String?] {
            [
                "status": "pending_payment", "quantity": "\(quantity)", "unit_price": "1200",
                "amount": "\(1200 * quantity)",
                "currency": "EUR", "leader_user_id": "leader", "size": "3", "window_right": "t", "seats": "1",
                "history": "-" + ">pending_payment \(user)", "reserved": "\(quantity)",
            ]
        }
        #expect(started == [row(quantity: 2, user: "leader")])
        #expect(joined == [row(quantity: 3, user: "member")])
        #expect(group == ["open", "2", "0"])
        #expect(held == [2, 3])
        #expect(stock == [SlotStock(available: 5, reserved: 5)])
    }

    /// The group ends with the deal's sale window, and the payment window never outlasts the group.
    @Test func windowsNeverOutlastTheDealsSaleWindow() async throws {
        let ends = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                _ = try await session.query(
                    "UPDATE deals SET ends_at = now() + interval '2 minutes' WHERE id = $1::bigint", [.int(deal)])
                let order = try await session.placedOrder(user: "leader", deal: deal).order
                return try await session.rows(
                    """
                    SELECT o.expires_at = d.ends_at AS order_ends, g.expires_at = d.ends_at AS group_ends
                    FROM orders o JOIN groups g ON g.id = o.group_id JOIN deals d ON d.id = o.deal_id
                    WHERE o.id = $1::bigint
                    """,
                    [.int(order)]
                )
            }
        }
        #expect(ends == [["order_ends": "t", "group_ends": "t"]])
    }
}
