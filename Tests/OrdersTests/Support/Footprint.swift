import Postgres
import SQLTesting

/// Everything an order placement writes, counted: a refused placement must leave it as it was.
struct Footprint: Equatable, CustomStringConvertible {
    var rows: [String: Int]
    var stock: [SlotStock]

    static let tables = ["orders", "groups", "group_members", "reservations", "order_history", "idempotency_keys"]

    var description: String { "\(rows.sorted { $0.key < $1.key }) stock \(stock)" }
}

extension PostgresConnection {
    func footprint(deal: Int) async throws -> Footprint {
        var rows: [String: Int] = [:]
        for table in Footprint.tables { rows[table] = try await int("SELECT count(*) FROM \(table)") }
        rows["units held"] = try await int("SELECT coalesce(sum(quantity), 0)::int FROM user_deal_quantities")
        rows["seats taken"] = try await int("SELECT coalesce(sum(member_count), 0)::int FROM groups")
        return Footprint(rows: rows, stock: try await stock(deal: deal))
    }
}
