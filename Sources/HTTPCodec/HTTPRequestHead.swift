/// What a request says, whatever protocol carried it: an HTTP/1.x request line and header
/// section, or an HTTP/2 stream's pseudo-headers and header block.
///
/// Ranges into the buffer holding the request's bytes, like `RequestHead`; the header
/// entries themselves are in a table the protocol keeps beside those bytes.
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: HTTPMethod
    /// The method token as sent (HTTP/2: `:method`).
    public var methodRange: ByteRange
    /// `http` or `https`: the connection's (HTTP/1.x origin-form), the target's (absolute-form)
    /// or `:scheme` (HTTP/2).
    public var scheme: HTTPScheme
    /// host[:port]: the absolute-form target's, else the Host header (HTTP/2: `:authority`).
    public var authority: ByteRange?
    /// The request target as sent (path and query; HTTP/2: `:path`).
    public var target: ByteRange
    /// The path part of the target; empty for an absolute-form target without a path (meaning "/").
    public var path: ByteRange
    /// The query after "?", without it; nil when the target has no "?".
    public var query: ByteRange?
    public var version: HTTPVersion
    /// Number of header entries in the protocol's table.
    public var headerCount: Int

    public init() {
        method = .get
        methodRange = .empty
        scheme = .http
        authority = nil
        target = .empty
        path = .empty
        query = nil
        version = .http1_1
        headerCount = 0
    }
}

/// The scheme of a request's target URI (RFC 9110 §4.2).
public enum HTTPScheme: Sendable, Hashable {
    case http
    case https

    /// The scheme as written in URIs.
    public var name: StaticString {
        switch self {
        case .http: "http"
        case .https: "https"
        }
    }
}
