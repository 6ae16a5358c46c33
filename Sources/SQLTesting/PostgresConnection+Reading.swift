package import Postgres

extension PostgresConnection {
    /// The first column of the first row; nil for NULL or no row.
    package func value(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> String? {
        let rows = try await query(sql, parameters)
        return rows.count > 0 ? rows[0].string(0) : nil
    }

    package func int(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> Int? {
        try await value(sql, parameters).flatMap { Int($0) }
    }

    /// Every row, each as its values by column name (nil for NULL).
    package func rows(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> [[String: String?]] {
        let rows = try await query(sql, parameters)
        return (0..<rows.count).map { index in
            Dictionary(
                uniqueKeysWithValues: rows.columns.enumerated().map { ($0.element, rows[index].string($0.offset)) })
        }
    }

    /// This session's server process, to watch it from another one (`waitUntilWaitingForALock`).
    package func backendPID() async throws -> Int {
        try await int("SELECT pg_backend_pid()") ?? 0
    }
}
