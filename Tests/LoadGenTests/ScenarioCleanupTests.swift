import Foundation
import HTTPClient
import IOCore
@testable import LoadGen
import Testing

/// A run puts back what it changed (issue 12: webhook-storm left the sandbox duplicating,
/// reordering and delaying, and 241 load-test deals in the public list).
@Suite struct ScenarioCleanupTests {
    static let stormScenario = """
        name: storm
        deals:
          pair: { copies: 3 }
        sandbox: { duplicate: 3, reorder_batch: 8, reorder_mode: shuffle, webhook_delay_ms: 200, seed: 7 }
        steps: [{request: GET /v1/deals}]
        """

    /// Setup of the storm scenario against `standIn` (service and sandbox); answers the cleanup it fed.
    func setUp(_ standIn: AdminStandIn, keepDeals: Bool = false, group: EventLoopGroup) async throws -> (RunCleanup, RunContext) {
        let scenario = try ScenarioParser.parse(Self.stormScenario, file: "storm.yaml", environment: [:])
        let cleanup = RunCleanup(runID: "r1", service: standIn.endpoint, adminToken: "admin", keepDeals: keepDeals)
        let setup = ScenarioSetup(
            service: standIn.endpoint, provider: standIn.endpoint, adminToken: "admin", clients: HTTPClients(loops: group.loops), runID: "r1",
            cleanup: cleanup
        )
        return (cleanup, try await setup.run(scenario))
    }

    @Test func theKnobsGetTheirEarlierValuesAndTheDealsAreClosedOnce() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        try await AdminStandIn.with { standIn in
            let (cleanup, context) = try await setUp(standIn, group: group)
            let outcome = await cleanup.perform()
            #expect(outcome.name == "cleanup")
            #expect(outcome.passed, "\(outcome.detail)")
            let posts = standIn.calls.filter { $0.method == "POST" && $0.target == "/_sandbox/config" }
            #expect(posts.map(\.body) == [
                #"{"duplicate":3,"reorder_batch":8,"reorder_mode":"shuffle","webhook_delay_ms":200,"seed":7}"#,
                #"{"duplicate":0,"reorder_batch":0,"reorder_mode":"reverse","webhook_delay_ms":0}"#,
            ])
            #expect(Set(standIn.closedIDs.map(Int64.init)) == Set(context.dealIDs["pair"] ?? []))
            #expect(standIn.closedIDs.count == 3)
            #expect(outcome.detail == "sandbox knobs put back (webhook_delay_ms=0 duplicate=0 reorder_batch=0 reorder_mode=reverse); closed the run's 3 deals")

            // A second caller (the signal handler racing the run's end) gets the same outcome, and nothing is sent twice.
            let calls = standIn.calls.count
            #expect(await cleanup.perform() == outcome)
            #expect(standIn.calls.count == calls)
        }
    }

    @Test func keptDealsStayOpenAndTheOutcomeSaysHowToCloseThem() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        try await AdminStandIn.with { standIn in
            let (cleanup, _) = try await setUp(standIn, keepDeals: true, group: group)
            let outcome = await cleanup.perform()
            #expect(outcome.passed)
            #expect(standIn.closedIDs.isEmpty)
            #expect(outcome.detail.hasSuffix("kept the run's 3 deals (gbload cleanup --run r1 closes them)"), "\(outcome.detail)")
        }
    }

    @Test func dealsThatCannotBeClosedFailTheCheckAndSayWhatToRun() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        try await AdminStandIn.with(refuseCloses: true) { standIn in
            let (cleanup, _) = try await setUp(standIn, group: group)
            let outcome = await cleanup.perform()
            #expect(!outcome.passed)
            #expect(outcome.detail.contains("3 of 3 deals not closed (ids 101, 102, 103: POST /v1/admin/deals/101/close: 503"), "\(outcome.detail)")
            #expect(outcome.detail.contains("gbload cleanup --run r1 closes them"))
            #expect(outcome.detail.contains("sandbox knobs put back"), "the knobs are put back even so")
        }
    }

    @Test func aSandboxThatIsGoneFailsTheCheckWithTheCommandThatPutsTheKnobsBack() async throws {
        let gone = Endpoint(address: try SocketAddress(host: "127.0.0.1", port: 1), host: "127.0.0.1:1")
        let cleanup = RunCleanup(runID: "r2", service: gone, adminToken: "admin", keepDeals: false, callTimeout: .seconds(2))
        let restore = try SandboxKnobs.restore(changing: #"{"duplicate":3}"#, from: ["duplicate": 0, "seed": 1])
        #expect(cleanup.sandboxChanged(gone, restore: restore))
        let outcome = await cleanup.perform()
        #expect(!outcome.passed)
        #expect(outcome.detail.contains(#"NOT put back"#))
        #expect(outcome.detail.hasSuffix(#"curl -s -d '{"duplicate":0}' http://127.0.0.1:1/_sandbox/config"#), "\(outcome.detail)")
    }

    @Test func nothingChangesOnceTheCleanupHasBegun() async throws {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        try await AdminStandIn.with { standIn in
            let scenario = try ScenarioParser.parse(Self.stormScenario, file: "storm.yaml", environment: [:])
            let cleanup = RunCleanup(runID: "r4", service: standIn.endpoint, adminToken: "admin", keepDeals: false)
            _ = await cleanup.perform()
            let setup = ScenarioSetup(
                service: standIn.endpoint, provider: standIn.endpoint, adminToken: "admin", clients: HTTPClients(loops: group.loops),
                runID: "r4", cleanup: cleanup
            )
            await #expect(throws: ScenarioSetupError.self) { _ = try await setup.run(scenario) }
            #expect(!standIn.calls.contains { $0.method == "POST" && $0.target == "/_sandbox/config" }, "an interrupted setup sets no knobs")
        }
    }

    @Test func aSetupThatFailsHalfwayPutsBackTheKnobsItChanged() async throws {
        try await AdminStandIn.with(refuseDeals: true) { standIn in
            let scenario = try ScenarioParser.parse(Self.stormScenario, file: "storm.yaml", environment: [:])
            let cleanup = RunCleanup(runID: "r3", service: standIn.endpoint, adminToken: "admin", keepDeals: false)
            let run = ScenarioRun(
                scenario: scenario, service: standIn.endpoint, provider: standIn.endpoint, adminToken: "admin",
                databaseURL: "postgresql://nobody@127.0.0.1:1/none", loopCount: 1, cpus: nil, cleanup: cleanup
            )
            do throws(ScenarioSetupError) {
                _ = try await run.execute(progress: nil)
                Issue.record("setup passed")
            } catch {
                #expect(error.call.hasPrefix("POST /v1/admin/deals"))
                #expect(error.detail.contains("(cleanup: sandbox knobs put back"), "\(error.detail)")
            }
            let posts = standIn.calls.filter { $0.method == "POST" && $0.target == "/_sandbox/config" }
            #expect(posts.last?.body == #"{"duplicate":0,"reorder_batch":0,"reorder_mode":"reverse","webhook_delay_ms":0}"#)
        }
    }

    @Test func theRestoreTakesTheEarlierValuesOfTheChangedKnobsButNotTheSeed() throws {
        let current: [String: Any] = ["duplicate": 1, "drop_probability": 0.25, "reorder_mode": "reverse", "fail_next": 0]
        let restore = try SandboxKnobs.restore(changing: #"{"reorder_mode":"shuffle","duplicate":3,"drop_probability":0,"seed":9}"#, from: current)
        #expect(restore.names == ["duplicate", "reorder_mode", "drop_probability"])
        #expect(restore.body == #"{"drop_probability":0.25,"duplicate":1,"reorder_mode":"reverse"}"#)
        #expect(restore.summary == "duplicate=1 reorder_mode=reverse drop_probability=0.25")
        #expect(try SandboxKnobs.restore(changing: #"{"seed":9}"#, from: current).names.isEmpty)
        #expect(throws: ScenarioSetupError.self) { try SandboxKnobs.restore(changing: #"{"webhook_delay_ms":5}"#, from: current) }
    }

    @Test func aDealDescriptionNamesItsRun() {
        let text = TestDeals.description(scenario: "flash, sale", runID: "t3k9x2a")
        #expect(TestDeals.runID(inDescription: text) == "t3k9x2a")
        #expect(TestDeals.runID(inDescription: "Made by gbload for a load test.") == nil)
        #expect(TestDeals.runID(inDescription: "Ripe mangoes, run fast).") == nil)
    }
}
