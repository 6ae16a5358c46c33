public import Postgres

/// The background work of groups and orders, one batch per call. Every instance of the
/// service runs it; the SQL claims rows with SKIP LOCKED, so two instances never handle the
/// same order or group, and state checks under the row locks make a repeat change nothing.
public enum OrderSweeper {
    public enum Task: String, Sendable, CaseIterable {
        /// Unpaid orders past their payment window: stock and seat released.
        case expireOrders = "expire_orders"
        /// Open groups past their time limit: unpaid orders expire, paid ones are refunded.
        case failGroups = "fail_groups"
        /// Open groups whose members have all paid: confirmed, stock sold (a safety net).
        case confirmGroups = "confirm_groups"
        /// Idempotency keys past their lifetime.
        case purgeIdempotencyKeys = "purge_idempotency_keys"

        var statement: PreparedStatement {
            switch self {
            case .expireOrders: OrdersStatements.expireOrders
            case .failGroups: OrdersStatements.failGroups
            case .confirmGroups: OrdersStatements.confirmGroups
            case .purgeIdempotencyKeys: OrdersStatements.purgeIdempotencyKeys
            }
        }
    }

    /// Runs one batch of `task`; answers how many items it handled (a full batch means more may wait).
    public static func run(_ task: Task, batchSize: Int, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.execute(task.statement.name, [.int(batchSize)])
        return rows[0].int(0) ?? 0
    }
}
