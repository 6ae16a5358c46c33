import Foundation
import HTTPClient
import HTTPCodec
import IOCore
import LoadGen
import Testing

/// Setup against a stand-in for the admin API and the sandbox (the real service is the lead's integration run).
@Suite struct ScenarioSetupTests {
    static let scenarioText = """
        users: 2500
        deals:
          hot: { stock: 7, copies: 3, ends_in: 20s, group_size: 3, price: 1200, list_price: 2000, per_user_limit: 2 }
          cold: {}
        sandbox: { duplicate: 2 }
        steps: [{request: GET /v1/deals}]
        """

    @Test func createsTokensInBatchesDealsPerCopyAndSandboxKnobs() async throws {
        try await AdminStandIn.with { standIn in try await createsEverything(standIn) }
    }

    func createsEverything(_ standIn: AdminStandIn) async throws {
        let scenario = try ScenarioParser.parse(Self.scenarioText, file: "t.yaml", environment: [:])
        let clients = HTTPClients(loops: standIn.group.loops)
        let cleanup = RunCleanup(runID: "run1", service: standIn.endpoint, adminToken: "admin-token", keepDeals: false)
        let setup = ScenarioSetup(
            service: standIn.endpoint, provider: standIn.endpoint, adminToken: "admin-token", clients: clients, runID: "run1", cleanup: cleanup
        )
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

        let calls = standIn.calls
        let tokenCalls = calls.filter { $0.target == "/v1/admin/tokens" }
        #expect(tokenCalls.count == 3)
        #expect(tokenCalls.allSatisfy { $0.authorization == "Bearer admin-token" })
        // The knobs are read before they change, so the run can put them back.
        let sandboxCalls = calls.filter { $0.target == "/_sandbox/config" }
        #expect(sandboxCalls.map(\.method) == ["GET", "POST"])
        #expect(sandboxCalls.last?.body == #"{"duplicate":2}"#)
        #expect(sandboxCalls.allSatisfy { $0.authorization == nil })
        #expect(Set(cleanup.dealIDs) == Set(context.dealIDs.values.flatMap { $0 }))
        #expect(cleanup.hasChanges)

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
        #expect(body["testData"] as? Bool == true)
        #expect(body["description"] as? String == "Made by gbload for a load test (scenario t, run run1).")
    }

    @Test func aRefusedDealNamesTheCallTheStatusAndTheProblem() async throws {
        try await AdminStandIn.with(refuseDeals: true) { standIn in try await refusedDeal(standIn) }
    }

    func refusedDeal(_ standIn: AdminStandIn) async throws {
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
