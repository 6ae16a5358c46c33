/// The first answer to a request with an Idempotency-Key, as stored with the key and given
/// again to every retry: its status and its body, as the API rendered them.
public struct StoredResponse: Sendable, Equatable {
    public var status: Int
    public var body: String

    public init(status: Int, body: String) {
        self.status = status
        self.body = body
    }
}
