import IOCore
import Postgres

/// One short-lived connection to the service's database for the checks after a run (not
/// the hot path): opened on `loop`, used for a few statements, closed.
struct ScenarioDatabase: Sendable {
    let url: String
    let loop: EventLoop

    /// Runs `body` on a fresh connection on the loop; the connection is closed afterwards.
    func withConnection<Result: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> Result) async throws -> Result {
        let url = url
        let loop = loop
        return try await Task(executorPreference: loop) {
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            return try await body(connection)
        }.value
    }

    /// Rows as strings (NULL as nil).
    static func rows(_ connection: PostgresConnection, _ sql: String, _ parameters: [PostgresValue] = []) async throws -> [[String?]] {
        let rows = try await connection.query(sql, parameters)
        return (0..<rows.count).map { index in (0..<rows.columns.count).map { rows[index].string($0) } }
    }

    /// A bigint[] parameter: `{1,2,3}`.
    static func idArray(_ ids: [Int64]) -> PostgresValue {
        .text("{" + ids.map(String.init).joined(separator: ",") + "}")
    }
}

/// "ids 3, 7, 9 and 12 more".
func listIDs(_ ids: [String], total: Int? = nil, limit: Int = 10) -> String {
    let total = total ?? ids.count
    let shown = ids.prefix(limit).joined(separator: ", ")
    return total > min(limit, ids.count) ? "\(shown) and \(total - min(limit, ids.count)) more" : shown
}
