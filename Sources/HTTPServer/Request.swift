public import HTTPCodec
import IOCore

/// An HTTP request as handlers see it, whatever the protocol it arrived on.
///
/// Method, path, query, headers and body are views into the buffer the request was read
/// into (see `ByteView` for how long they stay valid); nothing is copied to build one.
public struct Request: Sendable {
    let chunk: BufferChunk
    /// Offset of the request's first byte in `chunk`; the head's ranges are relative to it.
    let base: Int
    /// What the request says, as its protocol parsed it (HTTP/1.x or an HTTP/2 stream).
    let head: HTTPRequestHead
    let bodyRange: ByteRange
    /// Values captured by the route's `{name}` segments, in order.
    public internal(set) var pathParameters: PathParameters

    /// A request whose bytes are in `chunk` from `base` on, with its header table in the
    /// chunk's scratch area (`head.headerCount` entries): how every protocol builds one.
    init(chunk: BufferChunk, base: Int, head: HTTPRequestHead, body: ByteRange) {
        self.chunk = chunk
        self.base = base
        self.head = head
        self.bodyRange = body
        self.pathParameters = PathParameters()
    }

    @inline(__always)
    func view(_ range: ByteRange) -> ByteView {
        ByteView(chunk: chunk, start: base + Int(range.start), count: Int(range.count))
    }

    /// The method; `.other` for methods without a name here (see `methodName`).
    public var method: HTTPMethod { head.method }
    /// HTTP/1.0, HTTP/1.1 or HTTP/2.
    public var version: HTTPVersion { head.version }
    /// The method token as sent.
    public var methodName: ByteView { view(head.methodRange) }
    /// `http` or `https`.
    public var scheme: HTTPScheme { head.scheme }
    /// host[:port] the request is for (Host header, absolute-form target or `:authority`); nil when absent.
    public var authority: ByteView? { head.authority.map(view) }
    /// The request target as sent (path and query).
    public var target: ByteView { view(head.target) }
    /// The path, still percent-encoded; "/" for an absolute-form target without a path.
    public var path: ByteView { head.path.count == 0 ? Self.rootPath : view(head.path) }
    /// The query string after "?", still percent-encoded; nil when there is no "?".
    public var query: ByteView? { head.query.map(view) }
    /// The header fields.
    public var headers: RequestHeaders { RequestHeaders(request: self) }
    /// The body (after chunked decoding); empty when there is none.
    public var body: ByteView { view(bodyRange) }

    /// The header table lives in the scratch area of the request's buffer.
    @inline(__always)
    var headerEntries: UnsafeBufferPointer<HeaderEntry> {
        UnsafeBufferPointer(start: chunk.scratch.baseAddress!.assumingMemoryBound(to: HeaderEntry.self), count: head.headerCount)
    }

    static let rootChunk: BufferChunk = {
        let chunk = BufferChunk(unpooledCapacity: 1)
        chunk.append("/")
        return chunk
    }()
    static let rootPath = ByteView(chunk: rootChunk, start: 0, count: 1)
}

/// The header fields of a request: looked up by name without copying.
public struct RequestHeaders: Sendable, Sequence {
    let request: Request

    /// Number of header lines.
    public var count: Int { request.head.headerCount }

    /// The value of the first field named `lowercaseName` (ASCII case-insensitive).
    @inline(__always)
    public subscript(lowercaseName: StaticString) -> ByteView? {
        for entry in request.headerEntries where request.view(entry.name).equalsIgnoringCase(lowercaseName) {
            return request.view(entry.value)
        }
        return nil
    }

    /// The value of the first field named `name`, copied (case-insensitive).
    public func first(_ name: String) -> String? {
        let lowered = name.lowercased()
        for entry in request.headerEntries where request.view(entry.name).string.lowercased() == lowered {
            return request.view(entry.value).string
        }
        return nil
    }

    public func makeIterator() -> Iterator {
        Iterator(request: request, index: 0)
    }

    /// Yields (name, value) views in the order received.
    public struct Iterator: IteratorProtocol {
        let request: Request
        var index: Int

        public mutating func next() -> (name: ByteView, value: ByteView)? {
            guard index < request.head.headerCount else { return nil }
            let entry = request.headerEntries[index]
            index += 1
            return (request.view(entry.name), request.view(entry.value))
        }
    }
}

/// Values captured from `{name}` route segments; a few fit inline, so matching allocates nothing.
public struct PathParameters: Sendable {
    static let capacity = 4
    private var ranges: (ByteRange, ByteRange, ByteRange, ByteRange) = (.empty, .empty, .empty, .empty)
    var names: RouteParameterNames?
    /// Number of captured values.
    public private(set) var count = 0
    var chunk: BufferChunk?
    var base = 0

    init() {}

    /// Ranges appended later are relative to `base` in `chunk`.
    mutating func bind(chunk: BufferChunk, base: Int) {
        self.chunk = chunk
        self.base = base
    }

    mutating func append(_ range: ByteRange) {
        precondition(count < Self.capacity)
        withUnsafeMutableBytes(of: &ranges) { $0.storeBytes(of: range, toByteOffset: count * MemoryLayout<ByteRange>.stride, as: ByteRange.self) }
        count += 1
    }

    /// The value captured at position `index`.
    public subscript(index: Int) -> ByteView {
        precondition(index >= 0 && index < count, "no path parameter at \(index)")
        let range = withUnsafeBytes(of: ranges) { $0.load(fromByteOffset: index * MemoryLayout<ByteRange>.stride, as: ByteRange.self) }
        return ByteView(chunk: chunk!, start: base + Int(range.start), count: Int(range.count))
    }

    /// The value captured by the segment `{name}`.
    public subscript(name: String) -> ByteView? {
        guard let names, let index = names.names.firstIndex(of: name), index < count else { return nil }
        return self[index]
    }
}

/// The parameter names of one route, shared by every request that matches it.
final class RouteParameterNames: Sendable {
    let names: [String]
    init(_ names: [String]) { self.names = names }
}
