/// Fields sent after a response body (RFC 9110 §6.5), e.g. gRPC's `grpc-status`.
///
/// HTTP/1.1 sends them in the chunked coding's trailer section, so a response with trailers
/// is sent chunked even when its length is known; HTTP/1.0 cannot carry them and they are
/// dropped, as they are for a response without a body (HEAD, 204, 304). Fields that frame the
/// message (Content-Length, Transfer-Encoding, …) do not belong here and are not sent.
public struct ResponseTrailers: Sendable {
    private(set) var fields: [(name: HeaderText, value: HeaderText)] = []

    public init() {}

    /// Adds a field (repeated names are sent as repeated lines).
    public mutating func add(_ name: HeaderText, _ value: HeaderText) {
        fields.append((name, value))
    }

    public var isEmpty: Bool { fields.isEmpty }

    /// The first value of `name` (case-insensitive), for tests and middleware.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        return fields.first { $0.name.description.lowercased() == lowered }?.value.description
    }

    /// Names that must not be sent as trailers (RFC 9110 §6.5.1): framing, routing, control.
    static func isForbidden(_ name: HeaderText) -> Bool {
        switch name.description.lowercased() {
        case "content-length", "transfer-encoding", "content-type", "content-encoding", "host", "connection", "trailer", "te",
            "keep-alive", "upgrade", "date":
            true
        default:
            false
        }
    }
}
