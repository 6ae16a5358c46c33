import API
import Auth
@testable import Catalog
import Foundation
import GroupBuyTesting
import IOCore
import Postgres
import Redis
import Testing

/// The deal read path with Redis: read-through, invalidation on change, negative caching,
/// and correct answers from PostgreSQL when Redis is gone.
@Suite(.enabled(if: testDatabaseURL != nil && testRedisURL != nil, "needs the test database and Redis (scripts/test.sh)"))
struct DealCacheTests {
    /// Changes a deal behind the API's back, so only a cached copy still shows the old title.
    func retitleInDatabase(_ server: APITestServer, id: Int, to title: String) async throws {
        let loop = server.group.loops[0]
        try await Task(executorPreference: loop) {
            try await server.pools.pool(for: loop).withConnection { connection in
                _ = try await connection.query("UPDATE deals SET title = $1::text WHERE id = $2::bigint", [.text(title), .int(id)])
            }
        }.value
    }

    @Test func readsComeFromTheCacheUntilAChangeInvalidatesIt() async throws {
        try await withAPIServer({ try await APITestServer.start(loops: 1, redisURL: testRedisURL) }) { server in
            let id = try #require(try await server.createDeal(["title": "Cached"])["id"] as? Int)
            let first = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(first.json["title"] as? String == "Cached")
            try await retitleInDatabase(server, id: id, to: "Changed behind the cache")
            let second = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(second.json["title"] as? String == "Cached")  // served from Redis
            #expect(second.body == first.body)
            #expect(server.api.catalog.reads.total(.hits) == 1)
            #expect(server.api.catalog.reads.total(.loads) == 1)
            // A change through the API drops the cached copy: the next read is fresh.
            let patched = try await LiveHTTP.request(
                "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: #"{"perUserLimit":3}"#,
                bearer: try server.token(.admin)
            )
            #expect(patched.status == 200)
            let third = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(third.json["title"] as? String == "Changed behind the cache")
            #expect(third.json["perUserLimit"] as? Int == 3)
            #expect(third.headers["etag"] == patched.headers["etag"])
        }
    }

    @Test func missingDealsAreCachedAsMissing() async throws {
        // A long negative TTL: five curls took over 5 s once on the loaded CI machine, and the
        // entry expiring in between is not what this test is about.
        try await withAPIServer({ try await APITestServer.start(loops: 1, redisURL: testRedisURL, missingTTLSeconds: 600) }) { server in
            let id = Int.random(in: 900_000_000_000...999_999_999_999)
            for _ in 0..<5 {
                let status = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)").status
                #expect(status == 404)
            }
            #expect(server.api.catalog.reads.total(.loads) == 1)
            #expect(server.api.catalog.reads.total(.negativeHits) == 4)
        }
    }

    @Test(.enabled(if: PrivateServices.available, "needs root to run a private Redis"))
    func withRedisStoppedDealsAreServedCorrectlyFromPostgreSQL() async throws {
        let services = try await PrivateServices.start()
        do {
            try await withAPIServer({ try await APITestServer.start(loops: 1, redisURL: services.redisURL) }) { server in
                let id = try #require(try await server.createDeal(["title": "Before"])["id"] as? Int)
                #expect(try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)").status == 200)  // now cached
                try await services.stopRedis()
                // Changed while Redis is down: the invalidation cannot reach Redis, and reads must
                // still be right because they now come from PostgreSQL.
                let patched = try await LiveHTTP.request(
                    "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: #"{"title":"After"}"#,
                    bearer: try server.token(.admin)
                )
                #expect(patched.status == 200)
                for _ in 0..<5 {
                    let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
                    #expect(read.status == 200)
                    #expect(read.json["title"] as? String == "After")
                }
                #expect(server.api.catalog.reads.total(.cacheErrors) >= 1)
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

    @Test func theNearCacheAnswersRepeatReadsAndAChangeHereClearsItAtOnce() async throws {
        try await withAPIServer({ try await APITestServer.start(loops: 1, redisURL: testRedisURL, nearCacheTTL: .seconds(60)) }) { server in
            let id = try #require(try await server.createDeal(["title": "Near"])["id"] as? Int)
            _ = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            try await retitleInDatabase(server, id: id, to: "Changed behind both caches")
            let again = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(again.json["title"] as? String == "Near")
            #expect(server.api.catalog.reads.total(.nearHits) == 1)
            #expect(server.api.catalog.reads.total(.hits) == 0)  // Redis was not asked
            let patched = try await LiveHTTP.request(
                "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: #"{"perUserLimit":4}"#,
                bearer: try server.token(.admin)
            )
            #expect(patched.status == 200)
            let fresh = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            #expect(fresh.json["title"] as? String == "Changed behind both caches")
            #expect(fresh.json["perUserLimit"] as? Int == 4)
        }
    }

    @Test func aNearCacheEntryExpires() async throws {
        try await withAPIServer({ try await APITestServer.start(loops: 1, nearCacheTTL: .milliseconds(100)) }) { server in
            let id = try #require(try await server.createDeal(["title": "Short-lived"])["id"] as? Int)
            _ = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
            try await retitleInDatabase(server, id: id, to: "Seen after expiry")
            // Wait for the condition, with a deadline: the entry must go within its TTL.
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            var title: String?
            repeat {
                title = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)").json["title"] as? String
            } while title != "Seen after expiry" && ContinuousClock.now < deadline
            #expect(title == "Seen after expiry")
            #expect(server.api.catalog.reads.total(.loads) >= 2)
        }
    }

    @Test func removingANearEntryClearsItOnEveryLoop() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let near = NearCache(ttl: .seconds(60), capacity: 10, loops: group.loops)
        let deal = CachedDeal(version: 1, status: .active, json: Array("{}".utf8))
        for loop in group.loops { try await loop.submit { near.store(deal, for: 7, loop: loop) } }
        let stored = try await group.loops[1].submit { near.lookup(7, loop: group.loops[1]) != nil }
        try await group.loops[0].submit { near.remove(7, loop: group.loops[0]) }
        // The removal reached loop 1 through its queue, ahead of this check.
        let afterOnOne = try await group.loops[1].submit { near.lookup(7, loop: group.loops[1]) != nil }
        let afterOnZero = try await group.loops[0].submit { near.lookup(7, loop: group.loops[0]) != nil }
        #expect(stored)
        #expect(!afterOnOne)
        #expect(!afterOnZero)
    }
}
