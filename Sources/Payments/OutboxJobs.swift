public import Domain
public import Orders
public import Postgres

/// What operators see of the outbox: its jobs (newest first, by state) and how many are in
/// each state. Plain bound queries (no prepared statements): admin reads, not the hot path.
public enum OutboxJobs {
    public static let states = ["queued", "running", "done", "dead"]

    /// Jobs in `state` (every state when nil), newest first, after `cursor`: each as JSON
    /// `{id, kind, state, attempts, lastError, payload, runAt, lockedUntil, createdAt, updatedAt}`.
    public static func list(
        state: String?, before cursor: Cursor?, limit: Int, on connection: PostgresConnection
    ) async throws -> JSONPage {
        let rows = try await connection.query(
            """
            SELECT j.id, json_build_object(
                'id', j.id, 'kind', j.kind, 'state', j.status, 'attempts', j.attempts, 'lastError', j.last_error,
                'payload', j.payload, 'runAt', gb_rfc3339(j.run_at), 'lockedUntil', gb_rfc3339(j.locked_until),
                'createdAt', gb_rfc3339(j.created_at), 'updatedAt', gb_rfc3339(j.updated_at))::text
            FROM jobs j
            WHERE ($1::text IS NULL OR j.status = $1::text) AND j.id < $2::bigint
            ORDER BY j.id DESC LIMIT $3::int
            """,
            [.optional(state), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1)]
        )
        let shown = min(rows.count, limit)
        let items = (0..<shown).map { rows[$0].string(1) ?? "null" }
        let next = rows.count > limit ? Cursor(afterID: Int64(rows[shown - 1].int(0) ?? 0)) : nil
        return JSONPage(items: items, nextCursor: next)
    }

    /// Jobs per state that needs watching (queued, running, dead; done jobs only pile up).
    /// Bounded by the connection's statement_timeout.
    public static func counts(on connection: PostgresConnection) async throws -> [(state: String, count: Int)] {
        let rows = try await connection.query(
            """
            SELECT s.state, count(j.id)::bigint
            FROM unnest(ARRAY['queued', 'running', 'dead']) AS s(state) LEFT JOIN jobs j ON j.status = s.state
            GROUP BY s.state ORDER BY s.state
            """
        )
        return (0..<rows.count).map { (rows[$0].string(0) ?? "?", rows[$0].int(1) ?? 0) }
    }
}
