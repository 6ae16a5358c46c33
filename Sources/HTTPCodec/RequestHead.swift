/// A byte range within the buffer a request was parsed from.
///
/// Ranges, not pointers: the bytes may move (a buffer compacted or grown) and the ranges
/// stay true. The server turns them into views tied to the buffer's lifetime.
public struct ByteRange: Sendable, Hashable {
    /// Offset of the first byte.
    public var start: Int32
    /// Number of bytes.
    public var count: Int32

    public init(start: Int, count: Int) {
        self.start = Int32(truncatingIfNeeded: start)
        self.count = Int32(truncatingIfNeeded: count)
    }

    /// The empty range at offset 0.
    public static let empty = ByteRange(start: 0, count: 0)

    /// Offset one past the last byte.
    @inline(__always)
    public var end: Int { Int(start) + Int(count) }

    /// The same range moved by `delta` bytes.
    @inline(__always)
    public func shifted(by delta: Int) -> ByteRange {
        ByteRange(start: Int(start) + delta, count: Int(count))
    }
}

/// One header line: where its name and its trimmed value are.
public struct HeaderEntry: Sendable, Hashable {
    public var name: ByteRange
    public var value: ByteRange

    public init(name: ByteRange, value: ByteRange) {
        self.name = name
        self.value = value
    }
}

/// The protocol version of a request.
public enum HTTPVersion: Sendable, Hashable {
    case http1_0
    case http1_1
    case http2
}

/// How the request body is delimited (RFC 9112 §6.3).
public enum BodyFraming: Sendable, Hashable {
    /// No body.
    case none
    /// Exactly this many bytes.
    case contentLength(Int)
    /// Chunked transfer coding, decoded by `ChunkedBodyDecoder`.
    case chunked
}

/// A parsed HTTP/1.x request head: the protocol-neutral `common` part (what handlers see)
/// plus what only HTTP/1.x has (framing, keep-alive, `Expect`), as ranges into the parsed bytes.
public struct RequestHead: Sendable, Hashable {
    /// Method, target, version and header count: the part an HTTP/2 stream has too.
    public var common = HTTPRequestHead()
    /// The Host header value.
    public var host: ByteRange?
    public var framing: BodyFraming
    /// Whether the connection may be reused after this request (HTTP/1.1 default, `Connection: close`, HTTP/1.0 keep-alive).
    public var keepAlive: Bool
    /// `Expect: 100-continue` on an HTTP/1.1 request.
    public var expectsContinue: Bool
    /// The scheme of an absolute-form target ("https://host/"); nil for origin-form.
    public var targetScheme: HTTPScheme?
    /// The authority of an absolute-form target; nil for origin-form.
    public var targetAuthority: ByteRange?
    /// Bytes from the first byte of the request line through the empty line.
    public var length: Int

    public init() {
        host = nil
        framing = .none
        keepAlive = true
        expectsContinue = false
        targetScheme = nil
        targetAuthority = nil
        length = 0
    }

    /// The neutral head of this request as it arrived on a connection of `scheme`
    /// (RFC 9112 §3.3: an absolute-form target names its own scheme and authority).
    public func requestHead(connectionScheme scheme: HTTPScheme) -> HTTPRequestHead {
        var head = common
        head.scheme = targetScheme ?? scheme
        head.authority = targetAuthority ?? host
        return head
    }

    public var method: HTTPMethod {
        get { common.method }
        set { common.method = newValue }
    }
    /// The method token as sent.
    public var methodRange: ByteRange {
        get { common.methodRange }
        set { common.methodRange = newValue }
    }
    /// The request target as sent (path and query).
    public var target: ByteRange {
        get { common.target }
        set { common.target = newValue }
    }
    /// The path part of the target; empty for an absolute-form target without a path (meaning "/").
    public var path: ByteRange {
        get { common.path }
        set { common.path = newValue }
    }
    /// The query after "?", without it; nil when the target has no "?".
    public var query: ByteRange? {
        get { common.query }
        set { common.query = newValue }
    }
    public var version: HTTPVersion {
        get { common.version }
        set { common.version = newValue }
    }
    /// Number of header entries written to the caller's table.
    public var headerCount: Int {
        get { common.headerCount }
        set { common.headerCount = newValue }
    }
}
