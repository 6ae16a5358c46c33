import Foundation
import GroupBuyTesting
import HTTPServer
import Postgres
import Synchronization
import Testing

/// A flag one task raises and another reads.
final class Flag: Sendable {
    private let raised = Atomic(false)
    func raise() { raised.store(true, ordering: .releasing) }
    var isRaised: Bool { raised.load(ordering: .acquiring) }
}

/// The API under database trouble: busy pools answer 503 at once, a restarted PostgreSQL
/// costs a few 503s and no hang.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct ResilienceTests {
    @Test func anExhaustedPoolAnswers503WithRetryAfterWhileTheHolderStillWaits() async throws {
        try await withAPIServer({
            try await APITestServer.start(loops: 1, pool: { $0.maxConnections = 1; $0.maxWaiters = 0 }) { routes, pools in
                // Holds the only connection until the database sleep ends.
                routes.get("/test/hold", .async { _, context in
                    _ = try await pools.pool(for: context.loop).withConnection { try await $0.query("SELECT pg_sleep(3)") }
                    return .text("held")
                })
            }
        }) { server in
            let holderDone = Flag()
            let holder = Task {
                defer { holderDone.raise() }
                return try await Curl.request("GET", server.baseURL + "/test/hold")
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while server.pools.figures[0].idle > 0 || server.pools.figures[0].open == 0 {
                guard ContinuousClock.now < deadline else { throw CurlError("the holder never took the connection") }
                try await Task.sleep(for: .milliseconds(5))
            }
            let refused = try await Curl.request("GET", server.baseURL + "/v1/deals")
            let holderWasDone = holderDone.isRaised
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect((refused.json["type"] as? String)?.hasSuffix("/database-busy") == true)
            #expect(server.pools.figures[0].exhausted >= 1)
            #expect(!holderWasDone)  // refused at once, not after waiting for the connection
            #expect(try await holder.value.status == 200)  // the holder was answered, not disturbed
        }
    }

    @Test(.enabled(if: PrivateServices.available, "needs root to run a private PostgreSQL"))
    func aPostgreSQLRestartCostsAFew503sAndNoHang() async throws {
        let services = try await PrivateServices.start()
        do {
            try await withAPIServer({ try await APITestServer.start(databaseURL: services.databaseURL, loops: 2) }) { server in
                let id = try #require(try await server.createDeal()["id"] as? Int)
                var statuses: [Int] = []
                // A stream of reads before, during and after the restart (cache off: each reaches PostgreSQL).
                let restarted = Flag()
                let restart = Task {
                    defer { restarted.raise() }
                    try await services.restartPostgres()
                }
                while true {
                    let result = try await Curl.request("GET", server.baseURL + "/v1/deals/\(id)")
                    statuses.append(result.status)
                    if result.status == 503 {
                        #expect(result.headers["retry-after"] != nil)
                        #expect((result.json["type"] as? String)?.contains("database") == true || (result.json["type"] as? String)?.hasSuffix("/timeout") == true)
                    }
                    if restarted.isRaised { break }
                }
                try await restart.value
                print("restart: \(statuses.count) requests during the restart, \(statuses.filter { $0 == 503 }.count) answered 503")
                // Once it is back, every request succeeds again.
                var after: [Int] = []
                for _ in 0..<20 { after.append(try await Curl.request("GET", server.baseURL + "/v1/deals/\(id)").status) }
                #expect(Set(statuses).isSubset(of: [200, 503]), "\(statuses)")
                #expect(after.suffix(10).allSatisfy { $0 == 200 }, "\(after)")
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

}
