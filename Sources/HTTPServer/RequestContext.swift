public import HTTPCodec
public import IOCore

/// What the server knows about a request beyond its bytes: where it runs, until when,
/// its id, its route. Handlers and middleware read it; middleware may add to it.
public struct RequestContext: Sendable {
    /// The loop the request runs on; async handlers stay on it across suspensions.
    public let loop: EventLoop
    /// When the request was parsed (monotonic clock).
    public let receivedAt: LoopInstant
    /// After this instant the server answers 503 on the handler's behalf and cancels it.
    public let deadline: LoopInstant
    /// The request id (from `X-Request-Id`, or generated); echoed in the response.
    public var requestID = RequestID()
    /// The matched route's pattern, e.g. "/v1/deals/{id}"; nil when no route matched.
    public internal(set) var route: String?
    /// Index of the matched route in the router (metrics); the last index for "no route".
    var routeIndex: Int
    /// This loop's request figures.
    let metrics: LoopHTTPMetrics

    init(loop: EventLoop, receivedAt: LoopInstant, deadline: LoopInstant, routeIndex: Int, metrics: LoopHTTPMetrics) {
        self.loop = loop
        self.receivedAt = receivedAt
        self.deadline = deadline
        self.routeIndex = routeIndex
        self.metrics = metrics
    }

    /// Time left before the deadline (zero once passed).
    public var remaining: Duration {
        LoopInstant.now().duration(to: deadline)
    }

    /// Writes a body into a pooled buffer of this loop; nothing is allocated when it fits
    /// (a chunk holds `bufferChunkSize` bytes); beyond that the bytes move to a larger buffer.
    public func writeBody(_ write: (inout BodyWriter) -> Void) -> ResponseBody {
        var writer = BodyWriter(chunk: loop.buffers.take(), pool: loop.buffers)
        write(&writer)
        return .buffer(writer.finish())
    }
}

extension RequestContext {
    /// Writes bytes with a `BodyWriter` and returns a copy of them (e.g. a representation to
    /// cache); the pooled buffer used for writing goes straight back to the pool.
    public func renderBytes(_ write: (inout BodyWriter) -> Void) -> [UInt8] {
        BodyWriter.render(on: loop, write)
    }
}

/// Appends bytes to a pooled chunk, moving to a larger unpooled one when it is full.
public struct BodyWriter {
    private var chunk: BufferChunk
    private let pool: BufferPool

    init(chunk: BufferChunk, pool: BufferPool) {
        self.chunk = chunk
        self.pool = pool
    }

    /// Bytes written so far.
    public var count: Int { chunk.readableBytes }

    /// Writes through a `ByteWriter` limited to what is free; grows and retries when it overflowed.
    public mutating func withByteWriter(minimumCapacity: Int = 0, _ body: (inout ByteWriter) -> Void) {
        while true {
            if chunk.writableBytes < minimumCapacity { grow(atLeast: minimumCapacity) }
            var writer = ByteWriter(chunk.writable)
            body(&writer)
            if !writer.overflowed {
                chunk.writerIndex += writer.count
                return
            }
            grow(atLeast: max(writer.count, chunk.capacity))
        }
    }

    /// Appends raw bytes.
    public mutating func write(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count > chunk.writableBytes { grow(atLeast: bytes.count) }
        chunk.append(bytes)
    }

    /// Appends a literal.
    public mutating func write(_ literal: StaticString) {
        write(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// Appends a string's UTF-8 bytes.
    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    private mutating func grow(atLeast extra: Int) {
        let bigger = BufferChunk(unpooledCapacity: max(chunk.capacity * 2, chunk.readableBytes + extra))
        bigger.append(chunk.readable)
        var old: BufferChunk? = chunk
        chunk = bigger
        pool.give(&old)
    }

    consuming func finish() -> BufferChunk { chunk }
}

/// A request id kept inline (up to 64 bytes), so creating and echoing one allocates nothing.
public struct RequestID: Sendable, CustomStringConvertible, Equatable {
    static let capacity = 64
    private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    /// Length in bytes; zero when unset.
    public private(set) var count = 0

    public init() {}

    /// Takes a client-supplied id if it is 1–64 bytes of `[A-Za-z0-9._:-]`; nil otherwise.
    public init?(validating bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 && bytes.count <= Self.capacity else { return nil }
        for byte in bytes {
            switch byte {
            case 48...57, 65...90, 97...122, 45, 46, 58, 95: continue
            default: return nil
            }
        }
        withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: bytes) }
        count = bytes.count
    }

    /// Builds an id with `write`, which must stay within 64 bytes.
    init(writing write: (inout ByteWriter) -> Void) {
        count = withUnsafeMutableBytes(of: &storage) { raw in
            var writer = ByteWriter(raw)
            write(&writer)
            return writer.overflowed ? 0 : writer.count
        }
    }

    /// Calls `body` with the id's bytes.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        Swift.withUnsafeBytes(of: storage) { body(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }

    public var description: String {
        withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
    }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }
}
