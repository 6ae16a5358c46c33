import Domain
import Postgres

extension OutboxJob {
    /// A row of `OutboxJobs.list`'s query.
    init(row: PostgresRow) throws {
        guard let id = row.int(0), let kind = row.string(1), let state = row.string(2), let attempts = row.int(3),
            let payload = row.string(5), let runAt = row.int(6), let createdAt = row.int(8), let updatedAt = row.int(9)
        else { throw OutboxRowError() }
        self.init(
            id: Int64(id), kind: kind, state: state, attempts: attempts, lastError: row.string(4), payload: payload,
            runAt: Timestamp(secondsSinceEpoch: Int64(runAt)), lockedUntil: row.int(7).map { Timestamp(secondsSinceEpoch: Int64($0)) },
            createdAt: Timestamp(secondsSinceEpoch: Int64(createdAt)), updatedAt: Timestamp(secondsSinceEpoch: Int64(updatedAt))
        )
    }
}

/// A row of jobs without the columns the code expects: the schema and this build are out of step.
struct OutboxRowError: Error, CustomStringConvertible {
    var description: String { "a row of jobs does not have the expected columns or values" }
}
