import Postgres
import SQLTesting
import Testing

/// The state machines of orders and groups (docs/ORDERS.md), enforced by triggers on every
/// UPDATE whoever makes it, and the deal trigger: no draft again for a deal with orders.
@Suite(.needsTestDatabase)
struct TransitionTriggerTests {
    static let orderStates = [
        "pending_payment", "paid", "confirmed", "cancelled", "expired", "refund_pending", "refunded",
    ]
    static let orderMoves: Set<[String]> = [
        ["pending_payment", "paid"], ["pending_payment", "cancelled"], ["pending_payment", "expired"],
        ["paid", "confirmed"],
        ["paid", "refund_pending"], ["confirmed", "refund_pending"], ["refund_pending", "refunded"],
    ]

    /// Runs `statement` ($1 the row's id); answers the SQLSTATE it raised, nil when it succeeded.
    static func outcome(_ session: PostgresConnection, _ statement: String, _ id: Int) async throws -> String? {
        do {
            _ = try await session.query(statement, [.int(id)])
            return nil
        } catch let error as PostgresError where error.sqlState != nil {
            return error.sqlState
        }
    }

    @Test(arguments: orderStates.flatMap { from in orderStates.filter { $0 != from }.map { [from, $0] } })
    func anOrderMovesOnlyAlongTheDiagram(_ move: [String]) async throws {
        let (raised, status) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                _ = try await session.query("ALTER TABLE orders DISABLE TRIGGER orders_status_transition")
                _ = try await session.query(
                    "UPDATE orders SET status = $1::text WHERE id = $2::bigint", [.text(move[0]), .int(order)])
                _ = try await session.query("ALTER TABLE orders ENABLE TRIGGER orders_status_transition")
                let raised = try await Self.outcome(
                    session, "UPDATE orders SET status = '\(move[1])' WHERE id = $1::bigint", order)
                return (raised, try await session.orderStatus(order))
            }
        }
        let allowed = Self.orderMoves.contains(move)
        #expect(raised == (allowed ? nil : "GB011"))
        #expect(status == (allowed ? move[1] : move[0]))
    }

    /// (from, to) → allowed: only open groups close, as succeeded or failed.
    @Test(arguments: [
        (["open", "succeeded"], true), (["open", "failed"], true), (["succeeded", "failed"], false),
        (["failed", "succeeded"], false), (["succeeded", "open"], false), (["failed", "open"], false),
    ])
    func aGroupClosesOnceAsSucceededOrFailed(_ move: [String], allowed: Bool) async throws {
        let (raised, status) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let group = try await session.placedOrder(user: "leader", deal: deal).group
                if move[0] != "open" {
                    _ = try await session.query(
                        "UPDATE groups SET status = $1::text, closed_at = now() WHERE id = $2::bigint",
                        [.text(move[0]), .int(group)]
                    )
                }
                let closedAt = move[1] == "open" ? "NULL" : "now()"
                let raised = try await Self.outcome(
                    session, "UPDATE groups SET status = '\(move[1])', closed_at = \(closedAt) WHERE id = $1::bigint",
                    group
                )
                return (raised, try await session.groupState(group).first)
            }
        }
        #expect(raised == (allowed ? nil : "GB005"))
        #expect(status == (allowed ? move[1] : move[0]))
    }

    /// (whether buyers ordered it, the status it goes to) → the SQLSTATE raised.
    @Test(arguments: [(true, "draft", "GB017"), (false, "draft", nil), (true, "paused", nil), (true, "closed", nil)])
    func aDealBuyersOrderedNeverGoesBackToDraft(ordered: Bool, to status: String, raised expected: String?) async throws
    {
        let raised = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                if ordered { try await session.placedOrder(user: "buyer", deal: deal) }
                return try await Self.outcome(
                    session, "UPDATE deals SET status = '\(status)' WHERE id = $1::bigint", deal)
            }
        }
        #expect(raised == expected)
    }

    /// order_history's key: an order cannot enter a state twice, whatever the triggers allow.
    @Test func anOrderEntersAStateOnce() async throws {
        let raised = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5])
                let order = try await session.placedOrder(user: "buyer", deal: deal).order
                return try await Self.outcome(
                    session,
                    """
                    INSERT INTO order_history (order_id, from_status, to_status, actor)
                    VALUES ($1::bigint, NULL, 'pending_payment', 'x')
                    """,
                    order
                )
            }
        }
        #expect(raised == "23505")
    }
}
