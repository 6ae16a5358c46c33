/// Runs `body` again, up to `attempts` runs in all, when PostgreSQL rolled it back for a
/// deadlock or a serialization failure (`isRetryableConflict`): such a transaction did nothing
/// and may simply run again. Our own operations take locks in one order and should cause
/// neither; anything else `body` throws is thrown as it is.
public func retryingConflicts<Result>(attempts: Int = 3, _ body: () async throws -> Result) async throws -> Result {
    var attempt = 1
    while true {
        do {
            return try await body()
        } catch let error as PostgresError where error.isRetryableConflict && attempt < attempts {
            attempt += 1
        }
    }
}
