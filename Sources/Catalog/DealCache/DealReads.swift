import IOCore
import Postgres

/// Read-through cache of deals: cache first; on a miss one database load per id at a time
/// (single flight), stored with a TTL; ids that do not exist are cached as such for a
/// shorter TTL (negative caching) so that probing random ids does not reach the database.
///
/// Caching is the catalog's job, so every API (REST now, RPC next) reads deals through the
/// same entries and every change made through the catalog invalidates them.
package final class DealReads: Sendable {
    package enum Figure: Int, CaseIterable {
        case hits, misses, negativeHits, loads, cacheErrors, nearHits
    }

    let pools: PostgresPools
    let store: CatalogStore
    let cache: (any DealCacheBackend)?
    let settings: DealCacheSettings
    let render: DealRenderer
    private let flights = SingleFlight<Int64, CachedDeal?>()
    let near: NearCache
    /// Deals whose Redis entry failed to be deleted after a change: read past Redis for a while.
    let unreliable: UnreliableCacheEntries
    /// Per loop, written only by that loop.
    let figures: [SingleWriterCounters]

    init(
        pools: PostgresPools, store: CatalogStore, cache: (any DealCacheBackend)?, settings: DealCacheSettings, render: @escaping DealRenderer,
        loops: [EventLoop]
    ) {
        self.pools = pools
        self.store = store
        self.cache = cache
        self.settings = settings
        self.render = render
        self.figures = loops.map { _ in SingleWriterCounters(count: Figure.allCases.count) }
        self.near = NearCache(ttl: settings.nearTTL, capacity: settings.nearCapacity, loops: loops)
        self.unreliable = UnreliableCacheEntries(loops: loops)
    }

    package static func key(_ id: Int64) -> String { "gb:deal:v1:\(id)" }
    /// A cached "no such deal".
    static let missingMarker: [UInt8] = Array("-".utf8)

    /// The deal as cached (near cache, then Redis, then one load per id); nil when there is none.
    func deal(id: Int64, loop: EventLoop) async throws -> CachedDeal? {
        if let nearby = near.lookup(id, loop: loop) {
            count(.nearHits, loop)
            return nearby
        }
        // What is read from here on may predate a change whose removal lands meanwhile.
        let nearGeneration = near.generation(loop: loop)
        let cache = unreliable.contains(id, loop: loop) ? nil : self.cache
        if let cache {
            do {
                if let bytes = try await cache.get(Self.key(id), loop: loop) {
                    if bytes == Self.missingMarker {
                        count(.negativeHits, loop)
                        near.store(nil, for: id, ttl: .seconds(settings.missingTTLSeconds), ifNothingRemovedSince: nearGeneration, loop: loop)
                        return nil
                    }
                    if let deal = Self.decode(bytes) {
                        count(.hits, loop)
                        near.store(deal, for: id, ifNothingRemovedSince: nearGeneration, loop: loop)
                        return deal
                    }
                }
                count(.misses, loop)
            } catch {
                count(.cacheErrors, loop)
            }
        }
        return try await flights.run(id) {
            count(.loads, loop)
            let lease = cache == nil ? nil : await takeLease(id, loop: loop)
            let deal = try await pools.pool(for: loop).withConnection { try await store.deal(id: id, on: $0) }.map { deal in
                CachedDeal(version: deal.version, status: deal.status, json: render(deal, loop))
            }
            if let cache, let lease {
                do {
                    let (value, ttl) = deal.map { (Self.encode($0), settings.ttlSeconds) } ?? (Self.missingMarker, settings.missingTTLSeconds)
                    try await cache.fill(Self.key(id), leasedWith: lease, value, ttlSeconds: ttl, loop: loop)
                } catch {
                    count(.cacheErrors, loop)
                }
            }
            near.store(deal, for: id, ttl: deal == nil ? .seconds(settings.missingTTLSeconds) : nil, ifNothingRemovedSince: nearGeneration, loop: loop)
            return deal
        }
    }

    /// A lease on the cache entry of `id` for this load, or nil when another loader holds
    /// one or the cache cannot be reached (the load then goes on, uncached).
    private func takeLease(_ id: Int64, loop: EventLoop) async -> [UInt8]? {
        guard let cache else { return nil }
        let token = Array("lease:\(UInt64.random(in: 1...UInt64.max))".utf8)
        do {
            return try await cache.lease(Self.key(id), token: token, ttlSeconds: Self.leaseSeconds, loop: loop) ? token : nil
        } catch {
            count(.cacheErrors, loop)
            return nil
        }
    }

    /// Longer than any load may take (the statement timeout); an expired lease only costs a fill.
    static let leaseSeconds = 10

    /// Drops the cached entry after a change has committed, so that a read which begins after
    /// the change sees it (best effort for Redis: if it is unreachable the entry lives until
    /// its TTL, which bounds how stale a read can be).
    ///
    /// Order matters: Redis first (its delete also voids the lease of a load under way), then
    /// this process's near entries (refusing stores of loads that began before), then the load
    /// in flight, which may have read before the change and must not answer later callers.
    func forget(id: Int64, loop: EventLoop) async {
        if let cache {
            do {
                try await cache.delete(Self.key(id), loop: loop)
            } catch {
                count(.cacheErrors, loop)
                // The entry may stay, or be filled by a load that read before the change, for as
                // long as a lease and then a TTL last.
                unreliable.mark(id, for: .seconds(settings.ttlSeconds + Self.leaseSeconds), loop: loop)
            }
        }
        near.remove(id, loop: loop)
        flights.forget(id)
    }

    private func count(_ figure: Figure, _ loop: EventLoop) {
        figures[loop.index].add(1, at: figure.rawValue)
    }

    /// Totals over all loops, for /metrics.
    package func total(_ figure: Figure) -> Int {
        figures.reduce(0) { $0 + $1.value(at: figure.rawValue) }
    }

    /// `<version> <status> <json>`.
    static func encode(_ deal: CachedDeal) -> [UInt8] {
        Array("\(deal.version) \(deal.status.rawValue) ".utf8) + deal.json
    }

    static func decode(_ bytes: [UInt8]) -> CachedDeal? {
        guard let first = bytes.firstIndex(of: UInt8(ascii: " ")),
            let second = bytes[(first + 1)...].firstIndex(of: UInt8(ascii: " ")),
            let version = Int(String(decoding: bytes[..<first], as: UTF8.self)),
            let status = DealStatus(rawValue: String(decoding: bytes[(first + 1)..<second], as: UTF8.self))
        else { return nil }
        return CachedDeal(version: version, status: status, json: Array(bytes[(second + 1)...]))
    }
}
