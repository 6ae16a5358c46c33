import Domain
import Idempotency
package import Postgres

/// The error a refusal of the orders' SQL stands for (its SQLSTATE of class GB and message):
/// an `OrdersError`, an `IdempotencyError`, or `UnknownRefusal` when this build knows no such code.
func refusal(sqlState state: String, detail: String) -> any Error {
    if let refusal = OrdersError(sqlState: state, detail: detail) { return refusal }
    if let refusal = IdempotencyError(sqlState: state, detail: detail) { return refusal }
    return UnknownRefusal(code: state, detail: detail)
}

/// Runs `body`, again when PostgreSQL rolled it back for a deadlock or a serialization failure,
/// and throws the GB errors the database raised (the transition triggers) as the refusals they
/// stand for. Payments' SQL answers order refusals too (paying is an order transition).
package func translatingRefusals<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await retryingConflicts(body)
    } catch let error as PostgresError {
        guard let state = error.sqlState, state.hasPrefix("GB") else { throw error }
        throw refusal(sqlState: state, detail: error.message)
    }
}

extension PostgresRow {
    /// Throws the refusal a SQL function answered in this row (its SQLSTATE in column `code`,
    /// its message in column `detail`); returns when the function did not refuse.
    package func throwIfRefused(code: Int, detail: Int) throws {
        guard let state = string(code) else { return }
        throw refusal(sqlState: state, detail: string(detail) ?? "")
    }
}
