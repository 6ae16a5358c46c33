extension PostgresError {
    /// Text PostgreSQL cannot hold: U+0000 (character_not_in_repertoire, answered by the server
    /// or by our own check before sending) or a character the database encoding lacks (22P05).
    /// The request is at fault, not the database.
    public var isUnstorableText: Bool {
        sqlState == PostgresValue.unstorableTextState || sqlState == "22P05"
    }
}
