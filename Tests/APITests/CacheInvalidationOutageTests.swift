import API
import Auth
@testable import Catalog
import Foundation
import GroupBuyTesting
import IOCore
import Redis
import Testing

/// A change whose Redis delete failed (Redis away) must not be hidden afterwards by the old
/// copy: a load that read before the change can still put it back once Redis returns (the
/// writer's delete that would have voided its lease never ran). This instance then reads the
/// deal from PostgreSQL until such a copy has surely expired.
@Suite(.enabled(if: PrivateServices.available, "needs root to run a private Redis"))
struct CacheInvalidationOutageTests {
    @Test func aChangeWhoseInvalidationFailedIsNotHiddenByTheOldCopy() async throws {
        let services = try await PrivateServices.start()
        do {
            try await withAPIServer({
                try await APITestServer.start(databaseURL: services.databaseURL, loops: 2, redisURL: services.redisURL)
            }) { server in
                let id = try #require(try await server.createDeal(["title": "Before"])["id"] as? Int)
                #expect(try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)").json["title"] as? String == "Before")
                let key = DealReads.key(Int64(id))
                let oldCopy = try #require(try await Self.redis(services.redisURL) { try await $0.get(key) })

                try await services.stopRedis()
                let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
                let patched = try await LiveHTTP.request(
                    "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": read.headers["etag"] ?? ""],
                    body: #"{"title":"After"}"#, bearer: try server.token(.admin)
                )
                #expect(patched.status == 200, "\(patched.body)")
                try await services.startRedis()
                // What the racing load would have stored once Redis was back.
                try await Self.redis(services.redisURL) { try await $0.set(key, oldCopy, ttl: .seconds(30)) }

                for loop in 0..<4 {  // both loops of the server
                    let after = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(id)")
                    #expect(after.json["title"] as? String == "After", "read \(loop): \(after.body)")
                }
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

    /// Runs `body` with a Redis client of its own on a loop of its own.
    static func redis<Result: Sendable>(_ url: String, _ body: @escaping @Sendable (RedisClient) async throws -> Result) async throws -> Result {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        let clients = RedisClients(configuration: try RedisTestConfiguration.make(url), loops: group.loops)
        return try await Task(executorPreference: loop) {
            defer { clients.client(for: loop).close() }
            return try await body(clients.client(for: loop))
        }.value
    }
}
