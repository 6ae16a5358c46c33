import Domain
public import Postgres

/// The one way a creating operation done in Swift is made idempotent (deal creation, admin
/// refunds): the key is claimed first and the answer stored last, in the operation's own
/// transaction. Starting and joining groups claim their key inside their SQL function instead
/// (one round trip), with the same functions and the same refusals.
public struct IdempotencyKeys: Sendable {
    /// How long a key and its first answer are kept.
    public let ttlSeconds: Int

    public init(ttlSeconds: Int) {
        self.ttlSeconds = ttlSeconds
    }

    /// Runs `effect` in a transaction with `claim` (when given) claimed first and its answer
    /// stored last: a retry gets the first answer, the key with another request is refused
    /// (`IdempotencyError`), and a refusal stores nothing (the retry runs again). A deadlock
    /// or serialization failure runs the whole transaction again.
    public func run(
        _ claim: IdempotencyClaim?, user: String, on connection: PostgresConnection,
        _ effect: (PostgresConnection) async throws -> StoredResponse
    ) async throws -> StoredResponse {
        guard let claim else { return try await effect(connection) }
        return try await retryingConflicts {
            try await connection.transaction { connection in
                let stored = try await connection.execute(IdempotencyStatements.begin.name, [.text(user), .text(claim.key), .text(claim.requestHash)])
                if let state = stored[0].string(2) {
                    let detail = stored[0].string(1) ?? ""
                    throw IdempotencyError(sqlState: state, detail: detail) ?? UnknownRefusal(code: state, detail: detail)
                }
                if let status = stored[0].int(0), let body = stored[0].string(1) { return StoredResponse(status: status, body: body) }
                let answer = try await effect(connection)
                _ = try await connection.execute(
                    IdempotencyStatements.finish.name,
                    [.text(user), .text(claim.key), .text(claim.requestHash), .int(answer.status), .text(answer.body), .int(ttlSeconds)]
                )
                return answer
            }
        }
    }
}
