import Foundation
import HTTPClient
import HTTPCodec
import HTTPServer
import IOCore
import LoadGen
import Logging
import Synchronization
import Testing

/// Setup against a stand-in for the admin API and the sandbox (the real service is the lead's integration run).
@Suite struct ScenarioSetupTests {
    /// What the stand-in received.
    final class Received: Sendable {
        let calls = Mutex<[(target: String, authorization: String?, idempotencyKey: String?, body: String)]>([])
    }

    struct StandIn {
        let group: EventLoopGroup
        let server: HTTPServer
        let port: Int
        let received: Received

        var endpoint: Endpoint { Endpoint(address: try! SocketAddress(host: "127.0.0.1", port: port), host: "127.0.0.1:\(port)") }

        static func start(refuseDeals: Bool = false) async throws -> StandIn {
            let received = Received()
            var routes = RouterBuilder()
            @Sendable func record(_ request: Request) -> [String: Any] {
                let body = String(decoding: request.body.bytes, as: UTF8.self)
                received.calls.withLock {
                    $0.append((request.path.string, request.headers.first("authorization"), request.headers.first("idempotency-key"), body))
                }
                return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            }
            @Sendable func json(_ status: HTTPStatus, _ object: Any, problem: Bool = false) -> Response {
                let data = try! JSONSerialization.data(withJSONObject: object)
                return Response(
                    status: status, headers: ResponseHeaders(contentType: problem ? "application/problem+json" : "application/json"), body: .bytes(Array(data))
                )
            }
            let nextDeal = Atomic<Int>(100)
            routes.post("/v1/admin/tokens", .immediate { request, _ in
                let users = record(request)["users"] as? [String] ?? []
                return json(.ok, ["tokens": users.map { ["userId": $0, "token": "tok-\($0)"] }, "role": "buyer", "expiresAt": "2030-01-01T00:00:00Z"])
            })
            routes.post("/v1/admin/deals", .immediate { request, _ in
                _ = record(request)
                if refuseDeals {
                    return json(
                        .unprocessableContent,
                        ["type": "https://groupbuy.example/problems/validation", "title": "Invalid fields", "status": 422, "detail": "stock: too much"],
                        problem: true
                    )
                }
                return json(.created, ["id": nextDeal.wrappingAdd(1, ordering: .relaxed).newValue])
            })
            routes.post("/_sandbox/config", .immediate { request, _ in json(.ok, record(request)) })
            var configuration = ServerConfiguration()
            configuration.host = "127.0.0.1"
            configuration.port = 0
            var loopConfiguration = EventLoop.Configuration()
            loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
            let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
            let server = HTTPServer(
                configuration: configuration, group: group, router: try routes.build(), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            let port = try await server.start()
            return StandIn(group: group, server: server, port: port, received: received)
        }

        func stop() async throws {
            try await server.shutdown()
            group.shutdown()
        }

        /// Runs `body` against a fresh stand-in, stopped afterwards whatever happens.
        static func with(refuseDeals: Bool = false, _ body: (StandIn) async throws -> Void) async throws {
            let standIn = try await start(refuseDeals: refuseDeals)
            do {
                try await body(standIn)
            } catch {
                try? await standIn.stop()
                throw error
            }
            try await standIn.stop()
        }
    }

    static let scenarioText = """
        users: 2500
        deals:
          hot: { stock: 7, copies: 3, ends_in: 20s, group_size: 3, price: 1200, list_price: 2000, per_user_limit: 2 }
          cold: {}
        sandbox: { duplicate: 2 }
        steps: [{request: GET /v1/deals}]
        """

    @Test func createsTokensInBatchesDealsPerCopyAndSandboxKnobs() async throws {
        try await StandIn.with { standIn in try await createsEverything(standIn) }
    }

    func createsEverything(_ standIn: StandIn) async throws {
        let scenario = try ScenarioParser.parse(Self.scenarioText, file: "t.yaml", environment: [:])
        let clients = HTTPClients(loops: standIn.group.loops)
        let setup = ScenarioSetup(service: standIn.endpoint, provider: standIn.endpoint, adminToken: "admin-token", clients: clients, runID: "run1")
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        let context = try await setup.run(scenario, now: now)

        #expect(context.runID == "run1")
        #expect(context.users.count == 2500)
        #expect(context.users[0].id == "load-run1-0")
        #expect(context.users[0].token == "tok-load-run1-0")
        #expect(context.users[2499].id == "load-run1-2499")
        #expect(context.dealIDs["hot"]?.count == 3)
        #expect(context.dealIDs["cold"]?.count == 1)
        #expect(Set(context.dealIDs.values.flatMap { $0 }).count == 4)

        let calls = standIn.received.calls.withLock { $0 }
        let tokenCalls = calls.filter { $0.target == "/v1/admin/tokens" }
        #expect(tokenCalls.count == 3)
        #expect(tokenCalls.allSatisfy { $0.authorization == "Bearer admin-token" })
        let config = try #require(calls.first { $0.target == "/_sandbox/config" })
        #expect(config.body == #"{"duplicate":2}"#)
        #expect(config.authorization == nil)

        let dealCalls = calls.filter { $0.target == "/v1/admin/deals" }
        #expect(Set(dealCalls.compactMap(\.idempotencyKey)) == ["gbload-run1-deal-hot-0", "gbload-run1-deal-hot-1", "gbload-run1-deal-hot-2", "gbload-run1-deal-cold-0"])
        let hot = try #require(dealCalls.first { $0.idempotencyKey == "gbload-run1-deal-hot-1" })
        let body = try #require(try JSONSerialization.jsonObject(with: Data(hot.body.utf8)) as? [String: Any])
        #expect(body["stock"] as? Int == 7)
        #expect(body["groupSize"] as? Int == 3)
        #expect(body["groupPrice"] as? Int == 1200)
        #expect(body["listPrice"] as? Int == 2000)
        #expect(body["perUserLimit"] as? Int == 2)
        #expect(body["status"] as? String == "active")
        #expect(body["groupTimeLimitSeconds"] as? Int == 60)
        #expect(body["startsAt"] as? String == "2030-03-17T17:45:40Z")
        #expect(body["endsAt"] as? String == "2030-03-17T17:47:00Z")
        #expect((body["title"] as? String)?.hasPrefix("hot 2/3 · gbload t run1") == true)
    }

    @Test func aRefusedDealNamesTheCallTheStatusAndTheProblem() async throws {
        try await StandIn.with(refuseDeals: true) { standIn in try await refusedDeal(standIn) }
    }

    func refusedDeal(_ standIn: StandIn) async throws {
        let scenario = try ScenarioParser.parse("deals: {hot: {}}\nsteps: [{request: GET /v1/deals}]\n", file: "t.yaml", environment: [:])
        let setup = ScenarioSetup(service: standIn.endpoint, provider: nil, adminToken: "a", clients: HTTPClients(loops: standIn.group.loops), runID: "r")
        do {
            _ = try await setup.run(scenario)
            Issue.record("setup passed")
        } catch {
            #expect(error.call == "POST /v1/admin/deals (deal hot, copy 1 of 1)")
            #expect(error.status == 422)
            #expect(error.detail == "validation: stock: too much")
            #expect(error.description == "POST /v1/admin/deals (deal hot, copy 1 of 1): 422 validation: stock: too much")
        }
    }

    @Test func aScenarioThatPaysNeedsTheProvider() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let scenario = try ScenarioParser.parse(
            "steps: [{request: POST /v1/payment_intents/x/confirm, target: provider}]\n", file: "t.yaml", environment: [:]
        )
        let endpoint = Endpoint(address: try SocketAddress(host: "127.0.0.1", port: 1), host: "127.0.0.1:1")
        let setup = ScenarioSetup(service: endpoint, provider: nil, adminToken: "a", clients: HTTPClients(loops: group.loops))
        await #expect(throws: ScenarioSetupError.self) { _ = try await setup.run(scenario) }
    }
}
