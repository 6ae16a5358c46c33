/// A per-loop free list of fixed-size `BufferChunk`s.
///
/// Connections take a chunk when bytes arrive or a response is written and give it back
/// as soon as nothing is in flight, so an idle keep-alive connection holds no buffer.
/// Not thread-safe: used on its loop's thread only. Its figures are readable anywhere.
public final class BufferPool {
    /// Data bytes per chunk.
    public let chunkSize: Int
    /// Scratch bytes per chunk (see `BufferChunk.scratch`).
    public let scratchBytes: Int
    /// Free chunks kept at most; more are freed when returned.
    public let maxFree: Int
    private var free: [BufferChunk]
    /// In use, free, and chunks dropped because someone still held them when returned.
    public let figures = SingleWriterCounters(count: 4)

    static let inUseIndex = 0
    static let freeIndex = 1
    static let escapedIndex = 2
    static let allocatedIndex = 3

    public init(chunkSize: Int, scratchBytes: Int = 0, preallocate: Int, maxFree: Int) {
        precondition(chunkSize > 0 && preallocate >= 0 && maxFree >= 0)
        self.chunkSize = chunkSize
        self.scratchBytes = scratchBytes
        self.maxFree = maxFree
        self.free = []
        free.reserveCapacity(maxFree)
        for _ in 0..<min(preallocate, maxFree) {
            free.append(BufferChunk(capacity: chunkSize, scratchBytes: scratchBytes, isPoolSized: true))
        }
        figures.add(free.count, at: Self.allocatedIndex)
        publishFree()
    }

    /// An empty chunk: from the free list, or newly allocated when the list is empty.
    @inline(__always)
    public func take() -> BufferChunk {
        let chunk: BufferChunk
        if let recycled = free.popLast() {
            chunk = recycled
            publishFree()
        } else {
            chunk = BufferChunk(capacity: chunkSize, scratchBytes: scratchBytes, isPoolSized: true)
            figures.add(1, at: Self.allocatedIndex)
        }
        figures.add(1, at: Self.inUseIndex)
        return chunk
    }

    /// Returns a chunk taken from this pool and clears the caller's reference.
    ///
    /// A chunk still referenced elsewhere (a request view a handler kept) is not reused:
    /// it is dropped and freed when the last reference goes.
    @inline(__always)
    public func give(_ chunk: inout BufferChunk?) {
        guard chunk != nil else { return }
        // Unpooled (oversized) chunks were never counted: the caller's reference just goes.
        guard chunk!.isPoolSized else {
            chunk = nil
            return
        }
        figures.add(-1, at: Self.inUseIndex)
        let unique = isKnownUniquelyReferenced(&chunk!)
        if unique && free.count < maxFree {
            chunk!.clear()
            free.append(chunk!)
            chunk = nil
            publishFree()
            return
        }
        if !unique { figures.add(1, at: Self.escapedIndex) }
        figures.add(-1, at: Self.allocatedIndex)
        chunk = nil
    }

    /// Chunks handed out and not yet given back.
    public var inUse: Int { figures.value(at: Self.inUseIndex) }
    /// Chunks on the free list.
    public var freeCount: Int { figures.value(at: Self.freeIndex) }
    /// Chunks not reused because a reference outlived the request.
    public var escaped: Int { figures.value(at: Self.escapedIndex) }
    /// Chunks alive (in use or free).
    public var allocated: Int { figures.value(at: Self.allocatedIndex) }

    @inline(__always)
    private func publishFree() {
        figures.set(free.count, at: Self.freeIndex)
    }
}
