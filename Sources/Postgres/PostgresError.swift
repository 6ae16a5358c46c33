internal import CPostgres

/// A failure talking to PostgreSQL: the connection could not be made or broke, or the
/// server refused a statement (with its SQLSTATE, e.g. "23505" for a unique violation).
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Connecting failed, or the connection broke; the connection is unusable.
        case connection
        /// The server answered the statement with an error; the connection is still usable.
        case server(sqlState: String)
        /// The connection is busy with another use or was closed by us: a programming error.
        case misuse
    }

    public let kind: Kind
    public let message: String

    public var description: String {
        switch kind {
        case .connection: "PostgreSQL connection error: \(message)"
        case .server(let state): "PostgreSQL error \(state): \(message)"
        case .misuse: "PostgreSQL client misuse: \(message)"
        }
    }

    public var sqlState: String? {
        if case .server(let state) = kind { return state }
        return nil
    }

    /// The database cannot serve now but may shortly: the connection could not be made or
    /// broke, or the server is shutting down, restarting, starting up or out of resources.
    /// The statement did not run, or its outcome is unknown (a COMMIT whose answer was lost):
    /// safe to retry only with an idempotency key. Callers answer 503 + Retry-After.
    public var isUnavailable: Bool {
        switch kind {
        case .connection:
            return true
        case .server(let state):
            // 08: connection exception; 53: insufficient resources (too many connections, out of
            // memory, disk full); 57P01/02/03: admin shutdown, crash shutdown, cannot connect now.
            return state.hasPrefix("08") || state.hasPrefix("53") || state == "57P01" || state == "57P02" || state == "57P03"
        case .misuse:
            return false
        }
    }

    /// The statement ran out of time: the server's `statement_timeout`, or our cancel at the
    /// request's deadline (SQLSTATE 57014), or a `lock_timeout` (55P03).
    public var isTimeout: Bool {
        sqlState == "57014" || sqlState == "55P03"
    }

    /// Deadlock or serialization failure: the transaction was rolled back whole and may simply
    /// be run again.
    public var isRetryableConflict: Bool {
        sqlState == "40P01" || sqlState == "40001"
    }

    static func connection(_ connection: OpaquePointer?, _ what: String) -> PostgresError {
        let detail = connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        let trimmed = detail.trimmingTrailingNewlines()
        return PostgresError(kind: .connection, message: trimmed.isEmpty ? what : "\(what): \(trimmed)")
    }

    static func server(_ result: OpaquePointer) -> PostgresError {
        let message = PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? String(cString: PQresultErrorMessage(result)).trimmingTrailingNewlines()
        // Errors the server sends carry a SQLSTATE; the ones libpq makes itself ("server closed
        // the connection unexpectedly" when the socket ends mid-statement) do not, and mean the
        // connection is gone: a retryable outage, not an internal error of the server (XX000).
        guard let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map({ String(cString: $0) }) else {
            return PostgresError(kind: .connection, message: message)
        }
        return PostgresError(kind: .server(sqlState: state), message: message)
    }

}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
