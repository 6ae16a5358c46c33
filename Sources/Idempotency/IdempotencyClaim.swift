/// A creating request's Idempotency-Key and a digest of the request it came with.
public struct IdempotencyClaim: Sendable, Equatable {
    public var key: String
    /// Hex SHA-256 of what makes two requests "the same" (method, path, body).
    public var requestHash: String

    public init(key: String, requestHash: String) {
        self.key = key
        self.requestHash = requestHash
    }
}
