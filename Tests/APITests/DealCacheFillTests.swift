@testable import Catalog
import Foundation
import IOCore
import Redis
import Testing

/// A load that read a deal before a change must not put that old version in a cache after
/// the change removed it: Redis fills replace only the loader's own lease, and the near cache
/// refuses stores of loads that began before a removal.
@Suite(.enabled(if: testRedisURL != nil, "needs Redis (scripts/test.sh)"))
struct DealCacheFillTests {
    /// Runs `body` on a loop with the Redis deal cache of that loop.
    func withCache(_ body: @escaping @Sendable (RedisDealCache, EventLoop) async throws -> Void) async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let clients = RedisClients(configuration: try RedisTestConfiguration.make(try #require(testRedisURL)), loops: group.loops)
        try await Task(executorPreference: loop) {
            defer { clients.client(for: loop).close() }
            try await body(RedisDealCache(clients: clients), loop)
        }.value
    }

    @Test func aFillUnderTheLoadersOwnLeaseIsStored() async throws {
        try await withCache { cache, loop in
            let key = "gb:test:fill:\(UUID())"
            #expect(try await cache.lease(key, token: Array("lease:1".utf8), ttlSeconds: 10, loop: loop))
            try await cache.fill(key, leasedWith: Array("lease:1".utf8), Array("3 active {}".utf8), ttlSeconds: 10, loop: loop)
            #expect(try await cache.get(key, loop: loop) == Array("3 active {}".utf8))
        }
    }

    @Test func aFillAfterAChangeDeletedTheKeyIsRefused() async throws {
        try await withCache { cache, loop in
            let key = "gb:test:fill:\(UUID())"
            #expect(try await cache.lease(key, token: Array("lease:1".utf8), ttlSeconds: 10, loop: loop))
            try await cache.delete(key, loop: loop)  // the writer's delete, after its commit
            try await cache.fill(key, leasedWith: Array("lease:1".utf8), Array("3 active {}".utf8), ttlSeconds: 10, loop: loop)
            #expect(try await cache.get(key, loop: loop) == nil)
        }
    }

    @Test func aSecondLoaderGetsNoLeaseAndCannotOverwrite() async throws {
        try await withCache { cache, loop in
            let key = "gb:test:fill:\(UUID())"
            #expect(try await cache.lease(key, token: Array("lease:1".utf8), ttlSeconds: 10, loop: loop))
            #expect(try await cache.lease(key, token: Array("lease:2".utf8), ttlSeconds: 10, loop: loop) == false)
            try await cache.fill(key, leasedWith: Array("lease:2".utf8), Array("2 active {}".utf8), ttlSeconds: 10, loop: loop)
            #expect(try await cache.get(key, loop: loop) == Array("lease:1".utf8))
        }
    }

    @Test func theNearCacheRefusesALoadThatBeganBeforeARemoval() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let near = NearCache(ttl: .seconds(60), capacity: 10, loops: group.loops)
        let deal = CachedDeal(version: 1, status: .active, json: Array("{}".utf8))
        let (loop0, loop1) = (group.loops[0], group.loops[1])
        let began = try await loop1.submit { near.generation(loop: loop1) }
        // A change made through loop 0 removes the deal everywhere; loop 1's load then ends.
        try await loop0.submit { near.remove(7, loop: loop0) }
        let staleStored = try await loop1.submit {
            near.store(deal, for: 7, ifNothingRemovedSince: began, loop: loop1)
            return near.lookup(7, loop: loop1) != nil
        }
        let freshStored = try await loop1.submit {
            near.store(deal, for: 7, ifNothingRemovedSince: near.generation(loop: loop1), loop: loop1)
            return near.lookup(7, loop: loop1) != nil
        }
        #expect(!staleStored)
        #expect(freshStored)
    }
}
