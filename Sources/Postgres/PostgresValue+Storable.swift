extension PostgresValue {
    /// SQLSTATE character_not_in_repertoire, which PostgreSQL itself answers for bytes its
    /// text cannot hold: the last line's refusal looks like the server's own.
    package static let unstorableTextState = "22021"

    /// Refuses parameters PostgreSQL text cannot hold, before anything is sent. U+0000 is the
    /// only such text in a valid Swift String, and libpq takes parameters as C strings: it would
    /// silently cut "erin\0x" to "erin". The edges refuse NUL with a 4xx first; this catches
    /// whatever reaches a statement anyway. The connection stays usable.
    static func checkStorable(_ parameters: [PostgresValue]) throws(PostgresError) {
        for (index, parameter) in parameters.enumerated() {
            guard let text = parameter.text, text.utf8.contains(0) else { continue }
            throw PostgresError(
                kind: .server(sqlState: unstorableTextState),
                message: "parameter $\(index + 1) contains U+0000, which PostgreSQL text cannot hold (refused before sending)"
            )
        }
    }
}
