import IOCore

/// Deals whose Redis entry may be stale because deleting it after a change failed (Redis
/// away, or a command timed out). A read that began before the change could still fill the
/// entry with the old version, and it would live for its whole TTL. Until that has surely
/// passed, reads on this instance skip Redis for these deals and load them from PostgreSQL,
/// so a change made here is never hidden by the copy it failed to delete. (Other instances
/// still read the entry until its TTL: the bound documented for a Redis outage.)
///
/// One table per loop, like the near cache: the read path takes no lock, and a mark reaches
/// the other loops through their queues.
final class UnreliableCacheEntries: @unchecked Sendable {
    private final class Table {
        var until: [Int64: LoopInstant] = [:]
    }

    private let loops: [EventLoop]
    private let tables: [Table]

    init(loops: [EventLoop]) {
        self.loops = loops
        self.tables = loops.map { _ in Table() }
    }

    /// Marks `id` on every loop for `duration` (from the caller's loop now, the others when
    /// their queue reaches it).
    func mark(_ id: Int64, for duration: Duration, loop: EventLoop) {
        tables[loop.index].until[id] = loop.now.advanced(by: duration)
        for other in loops where other !== loop {
            other.execute { self.tables[other.index].until[id] = other.now.advanced(by: duration) }
        }
    }

    /// Whether reads of `id` on `loop` must not trust Redis now.
    func contains(_ id: Int64, loop: EventLoop) -> Bool {
        let table = tables[loop.index]
        guard !table.until.isEmpty, let until = table.until[id] else { return false }
        if loop.now < until { return true }
        table.until[id] = nil
        return false
    }
}
