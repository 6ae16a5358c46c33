public import Domain
public import Postgres

/// What operators see of the outbox: its jobs (newest first, by state) and how many are in
/// each state. Plain bound queries (no prepared statements): admin reads, not the hot path.
public enum OutboxJobs {
    public static let states = ["queued", "running", "done", "dead"]

    /// Jobs in `state` (every state when nil), newest first, after `cursor`.
    public static func list(
        state: String?, before cursor: Cursor?, limit: Int, on connection: PostgresConnection
    ) async throws -> (jobs: [OutboxJob], nextCursor: Cursor?) {
        // Times as whole Unix seconds, truncated as RFC 3339 shows them.
        let rows = try await connection.query(
            """
            SELECT j.id, j.kind, j.status, j.attempts, j.last_error, j.payload::text,
                   floor(extract(epoch FROM j.run_at))::bigint, floor(extract(epoch FROM j.locked_until))::bigint,
                   floor(extract(epoch FROM j.created_at))::bigint, floor(extract(epoch FROM j.updated_at))::bigint
            FROM jobs j
            WHERE ($1::text IS NULL OR j.status = $1::text) AND j.id < $2::bigint
            ORDER BY j.id DESC LIMIT $3::int
            """,
            [.optional(state), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1)]
        )
        var jobs: [OutboxJob] = []
        for index in 0..<min(rows.count, limit) { jobs.append(try OutboxJob(row: rows[index])) }
        let next = rows.count > limit ? jobs.last.map { Cursor(afterID: $0.id) } : nil
        return (jobs, next)
    }

    /// Jobs per state that needs watching (queued, running, dead; done jobs only pile up).
    /// Bounded by the connection's statement_timeout. `status <> 'done'` is the predicate of the
    /// partial index `jobs_by_state` (migration 0006): an index-only scan of the few jobs not done
    /// (0.04 ms beside 200,000 done ones, where a join on the states scanned them all in 22 ms).
    public static func counts(on connection: PostgresConnection) async throws -> [(state: String, count: Int)] {
        let rows = try await connection.query("SELECT status, count(*)::bigint FROM jobs WHERE status <> 'done' GROUP BY status")
        var counts = ["dead": 0, "queued": 0, "running": 0]
        for index in 0..<rows.count {
            if let state = rows[index].string(0) { counts[state] = rows[index].int(1) ?? 0 }
        }
        return counts.keys.sorted().map { ($0, counts[$0] ?? 0) }
    }
}
