import Synchronization

/// A bounded single-producer single-consumer byte queue.
///
/// The producer appends whole records or nothing (so the consumer never sees half a log
/// line); the consumer takes everything published so far. Positions only grow; the
/// storage index is the position modulo the power-of-two capacity.
final class ByteRing: Sendable {
    let capacity: Int
    private let mask: Int
    nonisolated(unsafe) private let storage: UnsafeMutableRawPointer
    /// Next position the consumer reads; written by the consumer only.
    private let head = Atomic<Int>(0)
    /// Next position the producer writes; written by the producer only.
    private let tail = Atomic<Int>(0)

    /// `capacity` is rounded up to a power of two, at least 1024 bytes.
    init(capacity: Int) {
        var size = 1024
        while size < capacity { size <<= 1 }
        self.capacity = size
        self.mask = size - 1
        self.storage = .allocate(byteCount: size, alignment: 64)
    }

    deinit {
        storage.deallocate()
    }

    /// Producer side: appends `record` whole, or returns false when it does not fit now.
    func push(_ record: UnsafeRawBufferPointer) -> Bool {
        let count = record.count
        let write = tail.load(ordering: .relaxed)
        let read = head.load(ordering: .acquiring)
        guard count <= capacity - (write - read), let source = record.baseAddress else { return count == 0 }
        let start = write & mask
        let first = min(count, capacity - start)
        (storage + start).copyMemory(from: source, byteCount: first)
        if first < count {
            storage.copyMemory(from: source + first, byteCount: count - first)
        }
        tail.store(write + count, ordering: .releasing)
        return true
    }

    /// Consumer side: calls `consume` with the published bytes (one or two pieces) and
    /// frees them. Returns the number of bytes taken.
    @discardableResult
    func drain(_ consume: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Void) -> Int {
        let read = head.load(ordering: .relaxed)
        let write = tail.load(ordering: .acquiring)
        let count = write - read
        guard count > 0 else { return 0 }
        let start = read & mask
        let first = min(count, capacity - start)
        consume(
            UnsafeRawBufferPointer(start: storage + start, count: first),
            UnsafeRawBufferPointer(start: storage, count: count - first)
        )
        head.store(write, ordering: .releasing)
        return count
    }

    /// Bytes waiting for the consumer.
    var pendingBytes: Int {
        tail.load(ordering: .acquiring) - head.load(ordering: .acquiring)
    }
}
