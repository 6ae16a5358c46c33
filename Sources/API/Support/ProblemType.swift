/// The `type` URIs of our problem+json answers: stable names clients can switch on.
/// Documented in docs/API.md.
enum ProblemType {
    static let base = "https://groupbuy.example/problems/"
    static let validation = base + "validation"
    static let malformedJSON = base + "malformed-json"
    static let unsupportedMediaType = base + "unsupported-media-type"
    static let notFound = base + "not-found"
    static let versionMismatch = base + "version-mismatch"
    static let preconditionRequired = base + "precondition-required"
    static let dealClosed = base + "deal-closed"
    static let badQuery = base + "bad-query"
    static let unauthenticated = base + "unauthenticated"
    static let forbidden = base + "forbidden"
    static let databaseBusy = base + "database-busy"
    static let databaseUnavailable = base + "database-unavailable"
    static let timeout = base + "timeout"
}
