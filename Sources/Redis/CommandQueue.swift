import IOCore

/// The callers waiting for answers, oldest first: a FIFO that pops in O(1) and reuses its
/// storage, for connections with thousands of pipelined commands in flight.
struct CommandQueue {
    struct Entry {
        let continuation: UnsafeContinuation<RedisValue, any Error>
        let deadline: LoopInstant
    }

    private var entries: [Entry] = []
    private var head = 0

    var count: Int { entries.count - head }
    var first: Entry? { head < entries.count ? entries[head] : nil }

    mutating func append(_ entry: Entry) {
        entries.append(entry)
    }

    mutating func popFirst() -> Entry? {
        guard head < entries.count else { return nil }
        let entry = entries[head]
        head += 1
        if head == entries.count {
            entries.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= entries.count {
            // Compact once the consumed prefix is the larger half: amortised O(1).
            entries.removeFirst(head)
            head = 0
        }
        return entry
    }
}
