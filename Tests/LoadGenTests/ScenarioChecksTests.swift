import Foundation
import HTTPClient
import Histogram
import IOCore
import LoadGen
import Postgres
import Testing

/// A run result with `requests` requests of which `errors` were unexpected.
func syntheticResult(requests: Int, errors: Int) -> RunResult {
    var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000)
    for _ in 0..<requests { latency.record(1_000) }
    let overall = StepResult(
        name: "all", requests: requests, errors: errors, latency: latency, statuses: [201: requests - errors, 500: errors], problemTypes: [:],
        transportErrors: [:], throughput: Double(requests) / 10
    )
    return RunResult(
        scenario: "t", mode: "closed", targetRate: nil, virtualUsers: 4, startedAt: 0, measuredSeconds: 10, warmupSeconds: 0, steps: [overall],
        overall: overall, iterationsStarted: requests, iterationsCompleted: requests - errors, timeline: [], checks: []
    )
}

func checksScenario(_ checks: String) throws -> Scenario {
    try ScenarioParser.parse("deals: {hot: {copies: 2}, cold: {}}\nsteps: [{request: GET /v1/deals}]\nchecks: \(checks)\n", file: "t.yaml", environment: [:])
}

func checksContext(_ dealIDs: [String: [Int64]]) throws -> RunContext {
    let address = try SocketAddress(host: "127.0.0.1", port: 1)
    return RunContext(runID: "r", dealIDs: dealIDs, users: [], adminToken: "t", service: Endpoint(address: address, host: "127.0.0.1:1"), provider: nil)
}

@Suite struct ScenarioChecksTests {
    @Test func errorRateAtTheLimitPassesAndAboveFails() throws {
        let scenario = try checksScenario("{max_error_rate: 0.01}")
        let context = try checksContext(["hot": [1, 2], "cold": [3]])
        let figures = ScenarioChecks.Figures(deals: [:], groupsSucceeded: 0, groupsFailed: 0)
        let atLimit = ScenarioChecks.evaluate(result: syntheticResult(requests: 1000, errors: 10), scenario: scenario, context: context, figures: figures)
        #expect(atLimit.map(\.name) == ["error rate"])
        #expect(atLimit[0].passed)
        let above = ScenarioChecks.evaluate(result: syntheticResult(requests: 1000, errors: 11), scenario: scenario, context: context, figures: figures)
        #expect(!above[0].passed)
        #expect(above[0].detail == "11 of 1000 requests unexpected (1.10%, at most 1%)")
    }

    @Test func soldOutNeedsEveryCopyFullyTaken() throws {
        let scenario = try checksScenario("{sold_out: [hot]}")
        let context = try checksContext(["hot": [1, 2], "cold": [3]])
        let result = syntheticResult(requests: 10, errors: 0)
        let full = ScenarioChecks.Figures(
            deals: [1: .init(total: 100, available: 0, reserved: 40, sold: 60), 2: .init(total: 100, available: 0, reserved: 100, sold: 0)],
            groupsSucceeded: 0, groupsFailed: 0
        )
        let passed = ScenarioChecks.evaluate(result: result, scenario: scenario, context: context, figures: full)
        #expect(passed.map(\.name) == ["error rate", "sold out hot"])
        #expect(passed[1].passed, "\(passed[1].detail)")
        #expect(passed[1].detail == "all 200 units taken: 60 sold, 140 reserved, none available")

        var leftover = full
        leftover.deals[2] = .init(total: 100, available: 3, reserved: 97, sold: 0)
        let failed = ScenarioChecks.evaluate(result: result, scenario: scenario, context: context, figures: leftover)
        #expect(!failed[1].passed)
        #expect(failed[1].detail.contains("deal 2: 3 available"))
    }

    @Test func groupMinimumsCountSucceededAndFailedGroups() throws {
        let scenario = try checksScenario("{min_groups_succeeded: 2, min_groups_failed: 1}")
        let context = try checksContext(["hot": [1, 2], "cold": [3]])
        let result = syntheticResult(requests: 10, errors: 0)
        let outcomes = ScenarioChecks.evaluate(
            result: result, scenario: scenario, context: context, figures: .init(deals: [:], groupsSucceeded: 2, groupsFailed: 0)
        )
        #expect(outcomes.map(\.name) == ["error rate", "groups succeeded", "groups failed"])
        #expect(outcomes.map(\.passed) == [true, true, false])
        #expect(outcomes[2].detail == "0 groups failed (at least 1 expected)")
    }

    @Test func anUnreachableServiceMakesReconciliationFailNamingTheCall() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let outcome = await InvariantChecker.reconcile(context: try checksContext([:]), clients: HTTPClients(loops: group.loops))
        #expect(outcome.name == "reconciliation")
        #expect(!outcome.passed)
        #expect(outcome.detail.contains("GET /v1/admin/payments/reconcile"))
    }
}

/// The checks and the settler against a real (scratch) database.
@Suite(.enabled(if: scenarioTestDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL"))
struct ScenarioDatabaseChecksTests {
    @Test func soldOutAndGroupsAreReadFromTheDatabase() async throws {
        try await CheckWorld.with { world in
            let hot = try await world.deal(stock: 2)
            let (group, _) = try await world.startGroup(deal: hot, user: "alice")
            _ = try await world.startGroup(deal: hot, user: "bob")
            try await world.sql("UPDATE groups SET status = 'failed', closed_at = now() WHERE id = $1::bigint", [.int(Int(group))])
            let scenario = try ScenarioParser.parse(
                "deals: {hot: {stock: 2}}\nsteps: [{request: GET /v1/deals}]\nchecks: {sold_out: [hot], min_groups_failed: 1}\n", file: "t.yaml",
                environment: [:]
            )
            let outcomes = await ScenarioChecks.evaluate(
                result: syntheticResult(requests: 2, errors: 0), scenario: scenario, context: try checksContext(["hot": [hot]]), databaseURL: world.url,
                loop: world.loop
            )
            #expect(outcomes.map(\.name) == ["error rate", "sold out hot", "groups failed"])
            for outcome in outcomes { #expect(outcome.passed, "\(outcome.name): \(outcome.detail)") }
        }
    }

    @Test func theSettlerNamesWorkLeftOverAndPassesWhenThereIsNone() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (group, order) = try await world.startGroup(deal: deal, user: "alice")
            let scenario = try ScenarioParser.parse("steps: [{request: GET /v1/deals}]\nsettle: {timeout: 1s}\n", file: "t.yaml", environment: [:])
            let settler = Settler(databaseURL: world.url, loop: world.loop, clients: HTTPClients(loops: world.group.loops), pollInterval: .milliseconds(100))
            let context = try checksContext(["d": [deal]])

            let calm = await settler.settle(scenario, context: context)
            #expect(calm.passed, "\(calm.detail)")

            try await world.sql("UPDATE groups SET expires_at = now() - interval '1 minute' WHERE id = $1::bigint", [.int(Int(group))])
            try await world.sql("UPDATE orders SET expires_at = now() - interval '1 minute' WHERE id = $1::bigint", [.int(Int(order))])
            let stuck = await settler.settle(scenario, context: context)
            #expect(!stuck.passed)
            #expect(stuck.detail.contains("not settled after"))
            #expect(stuck.detail.contains("1 open groups past expiry (ids \(group))"))
            #expect(stuck.detail.contains("1 unpaid orders past their payment window (ids \(order))"))
        }
    }

    @Test func theSettlerWaitsForTheDealsToEndWhenAsked() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let scenario = try ScenarioParser.parse("steps: [{request: GET /v1/deals}]\nsettle: {until_deals_end: true, timeout: 1s}\n", file: "t.yaml", environment: [:])
            let settler = Settler(databaseURL: world.url, loop: world.loop, clients: HTTPClients(loops: world.group.loops), pollInterval: .milliseconds(100))
            let outcome = await settler.settle(scenario, context: try checksContext(["d": [deal]]))
            #expect(!outcome.passed)
            #expect(outcome.detail.contains("1 deals still selling"))
        }
    }
}
