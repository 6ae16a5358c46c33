public import HTTPCodec
import IOCore

/// An HTTP request as handlers see it, whatever the protocol it arrived on.
///
/// Method, path, query, headers and body are views into the buffer the request was read
/// into (see `ByteView` for how long they stay valid); nothing is copied to build one.
public struct Request: Sendable {
    /// The method; `.other` for methods without a name here (see `methodName`).
    public let method: HTTPMethod
    public let version: HTTPVersion
    let chunk: BufferChunk
    /// Offset of the request's first byte in `chunk`; the codec's ranges are relative to it.
    let base: Int
    let head: RequestHead
    let bodyRange: ByteRange
    /// Values captured by the route's `{name}` segments, in order.
    public internal(set) var pathParameters: PathParameters

    init(chunk: BufferChunk, base: Int, head: RequestHead, body: ByteRange) {
        self.method = head.method
        self.version = head.version
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

    /// The method token as sent.
    public var methodName: ByteView { view(head.methodRange) }
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
    /// Whether the client will reuse the connection after this request.
    public var keepAlive: Bool { head.keepAlive }

    /// The header table lives in the scratch area of the request's buffer.
    @inline(__always)
    var headerEntries: UnsafeBufferPointer<HeaderEntry> {
        UnsafeBufferPointer(start: chunk.scratch.baseAddress!.assumingMemoryBound(to: HeaderEntry.self), count: head.headerCount)
    }

    private static let rootChunk: BufferChunk = {
        let chunk = BufferChunk(unpooledCapacity: 1)
        chunk.append("/")
        return chunk
    }()
    private static let rootPath = ByteView(chunk: rootChunk, start: 0, count: 1)
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
