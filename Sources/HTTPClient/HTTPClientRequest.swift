public import HTTPCodec

/// A request to send: method, origin-form target, header fields and body.
///
/// The client adds `Host` (unless given), `Content-Length` and nothing else; `Content-Length`
/// and `Transfer-Encoding` may not be set by the caller (the client frames the body itself).
public struct HTTPClientRequest: Sendable {
    public var method: HTTPMethod
    /// The request target in origin form: "/v1/payment_intents?limit=10".
    public var target: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: HTTPMethod = .get, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }

    /// Whether it may be sent again after a reused connection failed before any answer
    /// arrived: idempotent methods, or any method carrying an `Idempotency-Key` (as Go's
    /// net/http decides).
    var mayRetryOnStaleConnection: Bool {
        switch method {
        case .get, .head, .options, .put, .delete, .trace: return true
        default: return headers.contains { $0.name.lowercased() == "idempotency-key" }
        }
    }
}
