public import Postgres

/// One deal whose stock figures break the invariant, with every figure needed to see how.
public struct StockViolation: Sendable, Equatable {
    public var dealID: Int64
    public var total: Int
    public var available: Int
    public var reserved: Int
    public var sold: Int
    /// Units of unpaid and paid orders (should equal `reserved`).
    public var ordersReserved: Int
    /// Units of orders that were confirmed (should equal `sold`).
    public var ordersSold: Int
    public var negative: Bool
    public var reservationsDisagree: Bool

    /// What is wrong, in words.
    public var problems: [String] {
        var found: [String] = []
        if available + reserved + sold != total {
            found.append("available \(available) + reserved \(reserved) + sold \(sold) = \(available + reserved + sold), not the total \(total)")
        }
        if negative { found.append("a slot has a negative figure") }
        if reservationsDisagree { found.append("a slot's reserved units differ from its reservation rows") }
        if reserved != ordersReserved { found.append("reserved \(reserved) but unpaid and paid orders hold \(ordersReserved)") }
        if sold != ordersSold { found.append("sold \(sold) but confirmed orders hold \(ordersSold)") }
        return found
    }
}

/// An unpaid order still holding stock after its payment window (plus the allowed lag).
public struct OverdueReservation: Sendable, Equatable {
    public var orderID: Int64
    public var dealID: Int64
    public var overdueSeconds: Int
}

/// The invariant check behind `GET /v1/admin/inventory/check` and `gbctl inventory check`.
public enum InventoryCheck {
    public struct Report: Sendable {
        public var dealsChecked: Int
        public var violations: [StockViolation]
        public var overdue: [OverdueReservation]
        public var isHealthy: Bool { violations.isEmpty && overdue.isEmpty }
    }

    /// Checks one deal or all; reservations overdue by more than `allowedLagSeconds` count as stuck.
    public static func run(dealID: Int64?, allowedLagSeconds: Int, on connection: PostgresConnection) async throws -> Report {
        // One snapshot for all three reads, so concurrent orders cannot make them disagree.
        try await connection.transaction { connection in
            _ = try await connection.simpleQuery("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let deal: PostgresValue = dealID.map { .int(Int($0)) } ?? .null
            let count = try await connection.execute(InventoryStatements.dealCount.name, [deal])
            let rows = try await connection.execute(InventoryStatements.violations.name, [deal])
            var violations: [StockViolation] = []
            for index in 0..<rows.count {
                let row = rows[index]
                violations.append(
                    StockViolation(
                        dealID: Int64(row.int(0) ?? 0), total: row.int(1) ?? 0, available: row.int(2) ?? 0, reserved: row.int(3) ?? 0,
                        sold: row.int(4) ?? 0, ordersReserved: row.int(5) ?? 0, ordersSold: row.int(6) ?? 0,
                        negative: row.bool(7) ?? true, reservationsDisagree: row.bool(8) ?? true
                    )
                )
            }
            let late = try await connection.execute(InventoryStatements.overdueReservations.name, [.int(allowedLagSeconds), deal])
            var overdue: [OverdueReservation] = []
            for index in 0..<late.count {
                let row = late[index]
                overdue.append(OverdueReservation(orderID: Int64(row.int(0) ?? 0), dealID: Int64(row.int(1) ?? 0), overdueSeconds: row.int(2) ?? 0))
            }
            return Report(dealsChecked: count[0].int(0) ?? 0, violations: violations, overdue: overdue)
        }
    }
}
