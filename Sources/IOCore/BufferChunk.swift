/// A fixed-size block of memory with a reader and a writer index, usually from a `BufferPool`.
///
/// Bytes `readerIndex..<writerIndex` are readable, `writerIndex..<capacity` writable.
/// A chunk also carries a small scratch area for its owner's bookkeeping (the HTTP server
/// keeps a parsed request's header index there), so one pooled object serves one request.
///
/// Not thread-safe: a chunk belongs to one loop thread at a time.
public final class BufferChunk: @unchecked Sendable {
    /// Start of the data area.
    public let base: UnsafeMutableRawPointer
    /// Size of the data area in bytes.
    public let capacity: Int
    /// Owner-defined scratch memory, aligned for any scalar.
    public let scratch: UnsafeMutableRawBufferPointer
    /// First readable byte.
    public var readerIndex = 0
    /// One past the last readable byte; first writable byte.
    public var writerIndex = 0
    /// Whether this chunk has the pool's standard size and may return to it.
    let isPoolSized: Bool

    init(capacity: Int, scratchBytes: Int, isPoolSized: Bool) {
        precondition(capacity > 0 && scratchBytes >= 0)
        self.capacity = capacity
        self.isPoolSized = isPoolSized
        // One allocation for data and scratch; scratch is rounded up to 16-byte alignment.
        let dataBytes = (capacity + 15) & ~15
        let memory = UnsafeMutableRawPointer.allocate(byteCount: dataBytes + max(scratchBytes, 16), alignment: 16)
        self.base = memory
        self.scratch = UnsafeMutableRawBufferPointer(start: memory + dataBytes, count: scratchBytes)
    }

    /// A chunk outside any pool, freed when released (for bodies larger than a pool chunk).
    public convenience init(unpooledCapacity: Int, scratchBytes: Int = 0) {
        self.init(capacity: unpooledCapacity, scratchBytes: scratchBytes, isPoolSized: false)
    }

    deinit {
        base.deallocate()
    }

    /// Number of readable bytes.
    @inline(__always)
    public var readableBytes: Int { writerIndex - readerIndex }

    /// Number of writable bytes.
    @inline(__always)
    public var writableBytes: Int { capacity - writerIndex }

    /// The readable bytes; valid until the chunk is written to, compacted or released.
    @inline(__always)
    public var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + readerIndex, count: readableBytes)
    }

    /// The writable space; valid until the chunk is compacted or released.
    @inline(__always)
    public var writable: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + writerIndex, count: writableBytes)
    }

    /// Moves the readable bytes to the start, making room at the end.
    public func compact() {
        guard readerIndex > 0 else { return }
        let count = readableBytes
        if count > 0 { (base).copyMemory(from: base + readerIndex, byteCount: count) }
        readerIndex = 0
        writerIndex = count
    }

    /// Empties the chunk.
    @inline(__always)
    public func clear() {
        readerIndex = 0
        writerIndex = 0
    }

    /// Appends bytes; returns false (and writes nothing) when they do not fit.
    @discardableResult
    @inline(__always)
    public func append(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count <= writableBytes else { return false }
        if let source = bytes.baseAddress, bytes.count > 0 {
            (base + writerIndex).copyMemory(from: source, byteCount: bytes.count)
        }
        writerIndex += bytes.count
        return true
    }

    /// Appends the bytes of a static string; returns false when they do not fit.
    @discardableResult
    @inline(__always)
    public func append(_ string: StaticString) -> Bool {
        append(UnsafeRawBufferPointer(start: string.utf8Start, count: string.utf8CodeUnitCount))
    }

    /// Appends one byte; returns false when it does not fit.
    @discardableResult
    @inline(__always)
    public func append(byte: UInt8) -> Bool {
        guard writerIndex < capacity else { return false }
        base.storeBytes(of: byte, toByteOffset: writerIndex, as: UInt8.self)
        writerIndex += 1
        return true
    }
}
