/// A complete response: status, header fields and the body (after chunked decoding),
/// copied out of the connection's buffers.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    /// Header fields in the order received.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The first value of `name` (ASCII case-insensitive).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// The body as UTF-8 text (invalid bytes repaired).
    public var text: String { String(decoding: body, as: UTF8.self) }
}
