import HTTPCodec
import HTTPServer

/// The problem types of our problem+json answers (RFC 9457): a stable `type` URI clients can
/// switch on, and a `title` of its own that a person can read ("Sold out", not "Conflict").
/// Documented in docs/API.md.
enum ProblemType: CaseIterable {
    case validation, malformedJSON, bodyTooLarge, unsupportedMediaType, badQuery, repeatedHeader, unstorableText
    case notFound, versionMismatch, preconditionRequired, dealClosed, dealStatusTransition
    case unauthenticated, forbidden
    case databaseBusy, databaseUnavailable, timeout
    case dealNotActive, soldOut, groupNotOpen, groupExpired, groupFull, alreadyInGroup, purchaseLimitExceeded
    case orderState, paymentWindowClosed
    case badIdempotencyKey, idempotencyKeyReused, idempotencyKeyInProgress
    case badSignature, paymentsNotConfigured, paymentProviderUnavailable, paymentProviderRefused
    case tokensNotIssued

    static let base = "https://groupbuy.example/problems/"

    /// The table: each type's name (the last segment of its URI) and title.
    var entry: (name: String, title: String) {
        switch self {
        case .validation: ("validation", "Invalid fields")
        case .malformedJSON: ("malformed-json", "Malformed JSON body")
        case .bodyTooLarge: ("body-too-large", "JSON body too large")
        case .unsupportedMediaType: ("unsupported-media-type", "Body must be JSON")
        case .badQuery: ("bad-query", "Malformed query string")
        case .repeatedHeader: ("repeated-header", "Header sent twice")
        case .unstorableText: ("unstorable-text", "Text cannot be stored")
        case .notFound: ("not-found", "No such resource")
        case .versionMismatch: ("version-mismatch", "Changed since you read it")
        case .preconditionRequired: ("precondition-required", "If-Match required")
        case .dealClosed: ("deal-closed", "Deal is closed")
        case .dealStatusTransition: ("deal-status-transition", "Status change not allowed")
        case .unauthenticated: ("unauthenticated", "Valid bearer token required")
        case .forbidden: ("forbidden", "Admin role required")
        case .databaseBusy: ("database-busy", "Database busy")
        case .databaseUnavailable: ("database-unavailable", "Database unavailable")
        case .timeout: ("timeout", "Deadline passed")
        case .dealNotActive: ("deal-not-active", "Deal not on sale")
        case .soldOut: ("sold-out", "Sold out")
        case .groupNotOpen: ("group-not-open", "Group is closed")
        case .groupExpired: ("group-expired", "Group has expired")
        case .groupFull: ("group-full", "Group is full")
        case .alreadyInGroup: ("already-in-group", "Already in this group")
        case .purchaseLimitExceeded: ("purchase-limit-exceeded", "Purchase limit reached")
        case .orderState: ("order-state", "Not possible in the order's state")
        case .paymentWindowClosed: ("payment-window-closed", "Payment window closed")
        case .badIdempotencyKey: ("bad-idempotency-key", "Malformed Idempotency-Key")
        case .idempotencyKeyReused: ("idempotency-key-reused", "Idempotency-Key reused")
        case .idempotencyKeyInProgress: ("idempotency-key-in-progress", "Same request still running")
        case .badSignature: ("bad-signature", "Bad webhook signature")
        case .paymentsNotConfigured: ("payments-not-configured", "Payments not configured")
        case .paymentProviderUnavailable: ("payment-provider-unavailable", "Payment provider unavailable")
        case .paymentProviderRefused: ("payment-provider-refused", "Payment provider refused")
        case .tokensNotIssued: ("tokens-not-issued", "Tokens not issued here")
        }
    }

    var uri: String { Self.base + entry.name }
    var title: String { entry.title }
}

extension HTTPError {
    /// A problem of one of our types, titled from the table.
    init(
        _ status: HTTPStatus, type: ProblemType, detail: String? = nil, extensions: [(String, ProblemValue)] = [],
        headers: ResponseHeaders = ResponseHeaders()
    ) {
        self.init(status, type: type.uri, title: type.title, detail: detail, extensions: extensions, headers: headers)
    }
}
