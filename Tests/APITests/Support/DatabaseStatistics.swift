import Postgres

/// PostgreSQL's own counts for a test server's database (`pg_stat_database`), complete up to
/// the call. A backend publishes its pending counts only now and then (at most once a second,
/// when idle), so every pooled connection is first told to publish: after
/// `pg_stat_force_next_flush()` the backend flushes before it answers ReadyForQuery, so once
/// the call has returned on each connection, every count of every backend is in.
struct DatabaseStatistics: Equatable {
    /// Deadlocks PostgreSQL detected (each one also an ERROR line, 40P01, in its log).
    var deadlocks: Int
    /// Transactions that ended in an error or a ROLLBACK (each error also an ERROR line).
    var rollbacks: Int

    static func read(_ server: APITestServer) async throws -> DatabaseStatistics {
        for pool in server.pools.all {
            try await Task(executorPreference: pool.loop) {
                var held: [PostgresConnection] = []
                defer { for connection in held { pool.release(connection) } }
                for _ in 0..<max(1, pool.figures.open) { held.append(try await pool.acquire()) }
                for connection in held { _ = try await connection.query("SELECT pg_stat_force_next_flush()") }
            }.value
        }
        let row = try await server.sql("SELECT deadlocks, xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        return DatabaseStatistics(deadlocks: Int(row[0][0] ?? "") ?? -1, rollbacks: Int(row[0][1] ?? "") ?? -1)
    }
}
