import API
import Auth
import Foundation
import GroupBuyTesting
import HTTPClient
import HTTPServer
import IOCore
import PSPClient
import PSPSandbox
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
                return try await LiveHTTP.request("GET", server.baseURL + "/test/hold")
            }
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while server.pools.figures[0].idle > 0 || server.pools.figures[0].open == 0 {
                guard ContinuousClock.now < deadline else { throw LiveHTTPError("the holder never took the connection") }
                try await Task.sleep(for: .milliseconds(5))
            }
            let refused = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals")
            let holderWasDone = holderDone.isRaised
            #expect(refused.status == 503)
            #expect(refused.headers["retry-after"] == "1")
            #expect((refused.json["type"] as? String)?.hasSuffix("/database-busy") == true)
            #expect(server.pools.figures[0].exhausted >= 1)
            #expect(!holderWasDone)  // refused at once, not after waiting for the connection
            #expect(try await holder.value.status == 200)  // the holder was answered, not disturbed
        }
    }

    /// What a test does to PostgreSQL while the load runs.
    enum DatabaseFault: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case restartFast, restartImmediate, terminateEveryBackend

        var testDescription: String { rawValue }

        func inject(_ services: PrivateServices, load: OutageLoad) async throws {
            switch self {
            case .restartFast: try await services.restartPostgres(mode: .fast)
            case .restartImmediate: try await services.restartPostgres(mode: .immediate)
            case .terminateEveryBackend:
                // Several rounds, each once the lanes have made progress, so that sessions end
                // while handlers hold them between statements, not only while they are idle.
                for _ in 0..<8 {
                    let before = load.answerCount
                    try await services.terminateEveryBackend()
                    try await waitUntil("answers after a termination", within: 30) { load.answerCount >= before + 10 }
                }
            }
        }
    }

    /// The test named in issue 12: reads, writes and transactions while PostgreSQL restarts
    /// (both shutdown modes) or has every session ended. Each answer is a success or a 503
    /// with Retry-After, never a 500; retried keys take effect once; the stock adds up.
    @Test(.enabled(if: PrivateServices.available, "needs root to run a private PostgreSQL"), .serialized, arguments: DatabaseFault.allCases)
    func aPostgreSQLRestartCostsAFew503sAndNoHang(_ fault: DatabaseFault) async throws {
        let services = try await PrivateServices.start()
        do {
            try await withAPIServer({ try await APITestServer.start(databaseURL: services.databaseURL, loops: 2) }) { server in
                let dealID = try #require(try await server.createDeal(["stock": 100_000, "perUserLimit": 5])["id"] as? Int)
                let load = try OutageLoad(server: server)
                let began = ContinuousClock.now
                try load.start(dealID: dealID)
                try await load.waitForSuccesses(3, after: began)
                let openedBefore = server.pools.figures.reduce(0) { $0 + $1.opened }
                let faultBegan = ContinuousClock.now
                try await fault.inject(services, load: load)
                let faultEnded = ContinuousClock.now
                // Once it is back, every kind of request succeeds again.
                try await load.waitForSuccesses(3, after: faultEnded)
                let answers = try await load.stop()

                let during = answers.filter { $0.sent <= faultEnded && $0.answered >= faultBegan }
                let unavailable = answers.filter { $0.status == 503 }
                print("\(fault): \(answers.count) requests, \(during.count) during the fault, \(unavailable.count) answered 503")
                #expect(!during.isEmpty, "no request overlapped the fault: the test proved nothing")
                #expect(server.pools.figures.reduce(0) { $0 + $1.opened } > openedBefore, "the pools never reconnected")
                for answer in answers where !Self.isExpected(answer) {
                    Issue.record("\(fault): \(answer.lane) \(answer.method) answered \(answer.status): \(answer.body)")
                }
                for answer in unavailable {
                    #expect(answer.retryAfter != nil, "503 without Retry-After: \(answer.body)")
                    #expect(["database-unavailable", "database-busy", "timeout"].contains(answer.problemType ?? ""), "\(answer.body)")
                }
                // Every start, retried with its key through the outage, made exactly one order.
                let starts = load.finishedStarts
                let orders = try await server.sql("SELECT count(*), count(DISTINCT user_id) FROM orders WHERE deal_id = $1", [.int(dealID)])
                #expect(orders == [[String(starts.count), String(starts.count)]], "\(starts.count) starts")
                #expect(Set(starts.map(\.orderID)).count == starts.count)
                #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

    /// Redis is an optimisation: killed with -9 mid-load and started again, it costs no
    /// failed request at all (reads fall back to PostgreSQL).
    @Test(.enabled(if: PrivateServices.available, "needs root to run a private Redis"))
    func redisKilledMidLoadCostsNoFailedRequest() async throws {
        let services = try await PrivateServices.start()
        do {
            try await withAPIServer({
                try await APITestServer.start(databaseURL: services.databaseURL, loops: 2, redisURL: services.redisURL)
            }) { server in
                let dealID = try #require(try await server.createDeal(["stock": 100_000, "perUserLimit": 5])["id"] as? Int)
                let load = try OutageLoad(server: server)
                let began = ContinuousClock.now
                try load.start(dealID: dealID)
                try await load.waitForSuccesses(3, after: began)
                try await services.killRedis()
                let killed = ContinuousClock.now
                try await load.waitForSuccesses(3, after: killed)
                try await services.startRedis()
                let restarted = ContinuousClock.now
                try await load.waitForSuccesses(3, after: restarted)
                let answers = try await load.stop()
                print("redis kill -9: \(answers.count) requests, \(answers.filter { $0.sent >= killed && $0.sent < restarted }.count) while it was down")
                for answer in answers where !(200..<300).contains(answer.status) {
                    Issue.record("\(answer.lane) \(answer.method) answered \(answer.status): \(answer.body)")
                }
                var metrics = ""
                server.api.renderMetrics(into: &metrics)
                #expect(!metrics.contains(#"outcome="cache_error"} 0"#), "no read ever missed Redis: the test proved nothing")
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

    /// How a card provider can vanish in the middle of a call.
    enum ProviderFault: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case closesWithoutAnswer, answersHalfAHead, cutsTheBodyShort, resetsTheConnection

        var testDescription: String { rawValue }

        func act(on peer: RawPeer) throws {
            guard try peer.readRequest() != nil else { return }
            switch self {
            case .closesWithoutAnswer: peer.close()
            case .answersHalfAHead: peer.write("HTTP/1.1 200 OK\r\nContent-Type: appl")
            case .cutsTheBodyShort: peer.write("HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n{\"id\": \"pi_")
            case .resetsTheConnection: peer.reset()
            }
        }
    }

    /// The provider dies mid-call: the buyer gets 502 + Retry-After, nothing is charged or
    /// stuck, and the same pay succeeds once a provider answers again.
    @Test(arguments: ProviderFault.allCases)
    func aCardProviderVanishingMidCallAnswers502AndLeavesTheOrderPayable(_ fault: ProviderFault) async throws {
        let provider = LateBoundProvider()
        try await withAPIServer({ try await APITestServer.start(provider: provider) }) { server in
            let vanishing = try RawServer { peer, _ in try fault.act(on: peer) }
            defer { vanishing.stop() }
            provider.bind(
                PSPClient(
                    configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(vanishing.port)", apiKey: "sk_test_vanishing"),
                    clients: HTTPClients(loops: server.group.loops)
                )
            )
            let deal = try await server.createDeal()
            let buyer = "vanish-\(UUID().uuidString.prefix(8))"
            let order = try #require(try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as? Int)
            let pay = { try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer)) }
            let answer = try await pay()
            #expect(answer.status == 502 && answer.problemType == "payment-provider-unavailable", "\(answer.status) \(answer.body)")
            #expect(answer.headers["retry-after"] != nil)
            #expect(vanishing.accepted >= 1, "the provider was never called: the test proved nothing")
            #expect(try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(order)]) == [["pending_payment"]])

            // The provider is back: the same pay goes through.
            let sandbox = try PSPSandbox(settings: {
                var settings = SandboxSettings()
                settings.port = 0
                settings.apiKey = "sk_test_back"
                settings.seed = UInt64.random(in: 1...UInt64.max)
                return settings
            }())
            let port = try await sandbox.start()
            provider.bind(
                PSPClient(
                    configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(port)", apiKey: "sk_test_back"),
                    clients: HTTPClients(loops: server.group.loops)
                )
            )
            let retried = try await pay()
            try await sandbox.shutdown()
            #expect(retried.status == 201, "\(retried.body)")
            #expect(retried.json["intentId"] as? String != nil)
        }
    }

    /// An answer the fault may cause: a success, a 503, or — for a request retried after a 503
    /// whose first attempt took effect before its answer was lost — a 409 on cancel.
    static func isExpected(_ answer: OutageLoad.Answer) -> Bool {
        if (200..<300).contains(answer.status) || answer.status == 503 { return true }
        return answer.isRetry && answer.lane == "cancel" && answer.status == 409 && answer.problemType == "order-state"
    }
}
