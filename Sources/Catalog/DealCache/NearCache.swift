import IOCore

/// A small in-process cache of rendered deals, one per event loop (no locks: each is only
/// touched on its own loop). It sits in front of Redis for hot deals: a hit costs no network
/// round trip. Entries live `ttl` at most, so a change made through another instance is seen
/// within `ttl`; a change made through this instance removes the entry from every loop at once.
final class NearCache: @unchecked Sendable {
    private struct Entry {
        let deal: CachedDeal?
        let expires: LoopInstant
    }

    /// One per loop, so loops never touch the same storage.
    private final class Table {
        var entries: [Int64: Entry] = [:]
        /// Counts removals on this loop: a load that began before one may hold what it removed.
        var removals: UInt64 = 0
    }

    let ttl: Duration
    let capacity: Int
    private let loops: [EventLoop]
    private let tables: [Table]

    /// `ttl` zero turns it off.
    init(ttl: Duration, capacity: Int, loops: [EventLoop]) {
        self.ttl = ttl
        self.capacity = capacity
        self.loops = loops
        self.tables = loops.map { _ in Table() }
    }

    var isEnabled: Bool { ttl > .zero }

    /// The entry of `id` on `loop`: `.some(nil)` is a cached "no such deal".
    func lookup(_ id: Int64, loop: EventLoop) -> CachedDeal?? {
        guard isEnabled, let entry = tables[loop.index].entries[id] else { return nil }
        guard loop.now < entry.expires else {
            tables[loop.index].entries[id] = nil
            return nil
        }
        return .some(entry.deal)
    }

    /// Where `loop`'s removals stand now; give it to `store` for a value loaded after this.
    func generation(loop: EventLoop) -> UInt64 {
        tables[loop.index].removals
    }

    /// Stores a loaded deal, unless an entry was removed on `loop` since `generation` (the
    /// load may have read the deal before the change that removed it). Removals are rare
    /// (admin changes), so refusing every store across one costs almost nothing.
    func store(
        _ deal: CachedDeal?, for id: Int64, ttl entryTTL: Duration? = nil, ifNothingRemovedSince generation: UInt64? = nil, loop: EventLoop
    ) {
        guard isEnabled else { return }
        let table = tables[loop.index]
        if let generation, table.removals != generation { return }
        // Full: start over rather than track recency; hot deals come back on the next read.
        if table.entries.count >= capacity { table.entries.removeAll(keepingCapacity: true) }
        table.entries[id] = Entry(deal: deal, expires: loop.now.advanced(by: min(ttl, entryTTL ?? ttl)))
    }

    /// Removes `id` on the caller's loop now and on every other loop through its queue.
    func remove(_ id: Int64, loop: EventLoop) {
        guard isEnabled else { return }
        tables[loop.index].entries[id] = nil
        tables[loop.index].removals &+= 1
        for other in loops where other !== loop {
            other.execute {
                self.tables[other.index].entries[id] = nil
                self.tables[other.index].removals &+= 1
            }
        }
    }
}
