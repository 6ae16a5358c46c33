public import Postgres

/// The SQL of idempotency keys (functions of migrations/0003 and 0004), prepared on every
/// pooled connection.
public enum IdempotencyStatements {
    /// Claims an Idempotency-Key for a request done in Swift inside a transaction: $1 user,
    /// $2 key, $3 request hash. Answers the stored response (NULLs when there is none).
    static let begin = PreparedStatement(
        "orders_idempotency_begin",
        "SELECT status_code, body, refusal FROM gb_idempotency_begin($1::text, $2::text, $3::text)"
    )

    /// Stores the first answer: $1 user, $2 key, $3 hash, $4 status, $5 body, $6 lifetime (s).
    static let finish = PreparedStatement(
        "orders_idempotency_finish", "SELECT gb_idempotency_finish($1::text, $2::text, $3::text, $4::int, $5::text, $6::int)"
    )

    public static let all: [PreparedStatement] = [begin, finish]
}
