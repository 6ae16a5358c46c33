import Foundation
public import IOCore
import Inventory
import Postgres

/// The invariants every run must leave true, read from the service's database: stock adds
/// up and nothing is oversold, no reservation outlives its payment window, every paid order
/// ended confirmed or refunded, no order charged twice, no payment refunded twice or more
/// than it took. Stock and orders are checked for the run's deals; payments in the whole
/// database (a double charge is wrong wherever it is).
public struct InvariantChecker: Sendable {
    private let database: ScenarioDatabase
    /// Seconds an unpaid order may stay past its payment window before it counts as stuck
    /// (the expiry sweeper's period plus a margin).
    public var allowedLagSeconds: Int

    public init(databaseURL: String, loop: EventLoop, allowedLagSeconds: Int = 2) {
        database = ScenarioDatabase(url: databaseURL, loop: loop)
        self.allowedLagSeconds = allowedLagSeconds
    }

    /// One outcome per invariant (passed or naming what breaks it); a database that cannot
    /// be read is one failed outcome.
    public func check(dealIDs: [Int64]) async -> [CheckOutcome] {
        let lag = allowedLagSeconds
        do {
            return try await database.withConnection { connection in
                for statement in InventoryStatements.all { try await connection.prepare(statement.name, statement.sql) }
                return [
                    try await Self.stock(dealIDs: dealIDs, on: connection),
                    try await Self.reservations(dealIDs: dealIDs, lagSeconds: lag, on: connection),
                    try await Self.paidOrders(dealIDs: dealIDs, on: connection),
                    try await Self.doubleCharges(on: connection),
                    try await Self.doubleRefunds(on: connection),
                ]
            }
        } catch {
            return [CheckOutcome(name: "invariants", passed: false, detail: "could not read the database: \(error)")]
        }
    }

    /// available + reserved + sold == total per deal, none negative, the orders agree.
    static func stock(dealIDs: [Int64], on connection: PostgresConnection) async throws -> CheckOutcome {
        let ours = Set(dealIDs)
        let report = try await InventoryCheck.run(dealID: nil, allowedLagSeconds: Int(Int32.max), on: connection)
        let broken = report.violations.filter { ours.contains($0.dealID) }
        guard broken.isEmpty else {
            let details = broken.prefix(5).map { "deal \($0.dealID): " + $0.problems.joined(separator: "; ") }
            let more = broken.count > 5 ? "; and \(broken.count - 5) more deals" : ""
            return CheckOutcome(name: "stock", passed: false, detail: details.joined(separator: " | ") + more)
        }
        return CheckOutcome(
            name: "stock", passed: true,
            detail: "\(dealIDs.count) deals: available + reserved + sold == total, none negative, no oversell, orders agree"
        )
    }

    /// No unpaid order still holding stock after its payment window.
    static func reservations(dealIDs: [Int64], lagSeconds: Int, on connection: PostgresConnection) async throws -> CheckOutcome {
        let rows = try await ScenarioDatabase.rows(
            connection,
            """
            SELECT o.id, o.deal_id, extract(epoch FROM now() - o.expires_at)::bigint, count(*) OVER ()
            FROM orders o
            WHERE o.status = 'pending_payment' AND o.expires_at < now() - make_interval(secs => $2::int) AND o.deal_id = ANY($1::bigint[])
            ORDER BY o.id LIMIT 10
            """,
            [ScenarioDatabase.idArray(dealIDs), .int(lagSeconds)]
        )
        guard rows.isEmpty else {
            let orders = rows.map { "order \($0[0] ?? "?") (deal \($0[1] ?? "?"), \($0[2] ?? "?") s past its window)" }
            return CheckOutcome(
                name: "reservations", passed: false,
                detail: "unpaid orders still hold stock after their payment window: " + listIDs(orders, total: Int(rows[0][3] ?? "") ?? rows.count)
            )
        }
        return CheckOutcome(name: "reservations", passed: true, detail: "no reservation past its payment window")
    }

    /// Paid orders end confirmed (group succeeded) or refunded (group failed): none left
    /// `paid` in a closed group, none waiting in `refund_pending`.
    static func paidOrders(dealIDs: [Int64], on connection: PostgresConnection) async throws -> CheckOutcome {
        let rows = try await ScenarioDatabase.rows(
            connection,
            """
            SELECT o.id, o.status, g.id, g.status
            FROM orders o JOIN groups g ON g.id = o.group_id
            WHERE o.deal_id = ANY($1::bigint[])
              AND ((o.status = 'paid' AND g.status <> 'open') OR o.status = 'refund_pending')
            ORDER BY o.id LIMIT 11
            """,
            [ScenarioDatabase.idArray(dealIDs)]
        )
        guard rows.isEmpty else {
            let orders = rows.prefix(10).map { row in
                row[1] == "paid"
                    ? "order \(row[0] ?? "?") is paid in \(row[3] ?? "?") group \(row[2] ?? "?")"
                    : "order \(row[0] ?? "?") is still refund_pending (group \(row[2] ?? "?"))"
            }
            return CheckOutcome(
                name: "paid orders", passed: false,
                detail: "paid orders neither confirmed nor refunded: " + orders.joined(separator: "; ") + (rows.count > 10 ? "; and more" : "")
            )
        }
        return CheckOutcome(name: "paid orders", passed: true, detail: "every paid order is confirmed or refunded")
    }

    /// At most one charged payment per order.
    static func doubleCharges(on connection: PostgresConnection) async throws -> CheckOutcome {
        let rows = try await ScenarioDatabase.rows(
            connection,
            """
            SELECT order_id, count(*) FROM payments
            WHERE status IN ('succeeded', 'refund_pending', 'refunded')
            GROUP BY order_id HAVING count(*) > 1 ORDER BY order_id LIMIT 10
            """
        )
        guard rows.isEmpty else {
            return CheckOutcome(
                name: "double charge", passed: false,
                detail: "orders charged more than once: " + rows.map { "order \($0[0] ?? "?") (\($0[1] ?? "?") payments)" }.joined(separator: ", ")
            )
        }
        return CheckOutcome(name: "double charge", passed: true, detail: "no order charged more than once")
    }

    /// At most one refund per payment, and never more than it took.
    static func doubleRefunds(on connection: PostgresConnection) async throws -> CheckOutcome {
        let rows = try await ScenarioDatabase.rows(
            connection,
            """
            SELECT p.id, p.order_id, count(r.id), sum(r.amount), p.amount
            FROM payments p JOIN refunds r ON r.payment_id = p.id
            GROUP BY p.id, p.order_id, p.amount
            HAVING count(r.id) > 1 OR sum(r.amount) > p.amount
            ORDER BY p.id LIMIT 10
            """
        )
        guard rows.isEmpty else {
            let payments = rows.map { row in
                "payment \(row[0] ?? "?") of order \(row[1] ?? "?"): \(row[2] ?? "?") refunds of \(row[3] ?? "?") in all, it took \(row[4] ?? "?")"
            }
            return CheckOutcome(name: "double refund", passed: false, detail: "payments refunded twice or beyond their amount: " + payments.joined(separator: "; "))
        }
        return CheckOutcome(name: "double refund", passed: true, detail: "no payment refunded twice or beyond its amount")
    }
}
