/// How a response body is delimited (RFC 9112 §6.3), seen from the client.
public enum ResponseFraming: Sendable, Hashable {
    /// No body: HEAD, 1xx, 204, 304, or `Content-Length: 0`.
    case none
    /// Exactly this many bytes.
    case contentLength(Int)
    /// Chunked transfer coding, decoded by `ChunkedBodyDecoder`.
    case chunked
    /// Everything until the server closes the connection (no length given).
    case untilClose
}

/// A parsed response head: what it says, as ranges into the parsed bytes.
public struct ResponseHead: Sendable, Hashable {
    /// The three-digit status code (never 1xx: interim responses are skipped).
    public var status: Int
    /// The reason phrase as sent (may be empty).
    public var reason: ByteRange
    public var version: HTTPVersion
    /// Number of header entries written to the caller's table.
    public var headerCount: Int
    public var framing: ResponseFraming
    /// Whether the connection may carry another request after this response.
    public var keepAlive: Bool
    /// Bytes from the first byte received (including skipped interim responses) through the
    /// empty line: the body starts here.
    public var length: Int

    public init() {
        status = 200
        reason = .empty
        version = .http1_1
        headerCount = 0
        framing = .none
        keepAlive = true
        length = 0
    }
}

/// The outcome of offering bytes to the response head parser.
public enum ResponseHeadParseResult: Sendable, Hashable {
    /// No complete final head yet and no limit exceeded: read more and call again.
    case needMore
    /// A complete, valid final head; the body (if any) starts at `head.length`.
    case complete(ResponseHead)
    /// The response cannot be trusted; close the connection. The error's status is 502.
    case failed(HTTPParseError)
}
