import Foundation
import GroupBuyTesting
import HTTPClient
import HTTPCodec
import IOCore
import PSPSandbox
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real gbload process, a real psp-sandbox (in this process) and a stand-in service:
/// Ctrl-C in the middle of a storm scenario puts the sandbox's knobs back and closes the run's
/// deals before gbload exits 130 (SIGTERM: 143); `gbload cleanup` closes test deals left open.
@Suite struct GBLoadCleanupProcessTests {
    /// psp-sandbox on an ephemeral port, its log lines kept.
    final class Sandbox: Sendable {
        let sandbox: PSPSandbox
        let port: Int
        let logged = CollectedLines()
        let clientGroup: EventLoopGroup
        let clients: HTTPClients

        init() async throws {
            var settings = SandboxSettings()
            settings.port = 0
            settings.apiKey = "sk_test_interrupt"
            settings.log = logged.sink
            sandbox = try PSPSandbox(settings: settings)
            port = try await sandbox.start()
            clientGroup = try EventLoopGroup(count: 1)
            clients = HTTPClients(loops: clientGroup.loops)
        }

        /// `GET /_sandbox/config/changed`'s `changed` object.
        func changedKnobs() async throws -> [String: Any] {
            let request = HTTPClientRequest(method: .get, target: "/_sandbox/config/changed", headers: [], body: [])
            let response = try await clients.execute(request, to: SocketAddress(host: "127.0.0.1", port: port))
            let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            return try #require(object?["changed"] as? [String: Any])
        }

        var log: [String] { logged.all }

        func stop() async throws {
            await clients.closeIdleConnections()
            clientGroup.shutdown()
            try await sandbox.shutdown()
        }
    }

    static let storm = """
        name: interrupted-storm
        users: 4
        users_per_iteration: 1
        deals:
          pair: { stock: 10, copies: 3 }
        sandbox: { duplicate: 3, reorder_batch: 8, reorder_mode: shuffle, webhook_delay_ms: 200, seed: 7 }
        load: { mode: closed, vus: 2, duration: 300s, timeout: 5s }
        steps:
          - request: GET /v1/deals
        """

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func aSignalMidRunPutsBackTheKnobsAndClosesTheDealsBeforeExiting(signal: Int32, status: Int32) async throws {
        let sandbox = try await Sandbox()
        let service = try await AdminStandIn.start()
        let file = try GBLoadProcess.scenarioFile(Self.storm)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try await GBLoadProcess.inEmptyFolder { folder in
            let child = try Subprocess.spawn(
                GBLoadProcess.path,
                [
                    "run", file, "--url", service.url, "--token", "admin", "--psp-url", "http://127.0.0.1:\(sandbox.port)",
                    "--psp-key", "sk_test_interrupt", "--database-url", "postgresql://nobody@127.0.0.1:1/none", "--quiet",
                ],
                environment: GBLoadProcess.environment(), directory: folder, captureErrors: true
            )
            let running = RunningChild(child)
            do {
                // Mid-run: loading, with the storm knobs on.
                try await waitUntil("the load to run", within: 60) { service.loadRequests >= 20 }
                let storm = try await sandbox.changedKnobs()
                #expect(storm["duplicate"] as? Int == 3 && storm["reorder_batch"] as? Int == 8, "\(storm)")
            } catch {
                child.signal(SIGKILL)
                _ = await running.finish()
                throw error
            }
            child.signal(signal)
            return await running.finish()
        }
        #expect(outcome.status == status, "\(outcome.errorOutput)")
        #expect(outcome.errorOutput.contains("interrupted"), "\(outcome.errorOutput)")
        #expect(outcome.errorOutput.contains("cleanup done: sandbox knobs put back"), "\(outcome.errorOutput)")

        // Read back from the sandbox itself: every knob at its default again, and its log says so.
        #expect(try await sandbox.changedKnobs().isEmpty)
        #expect(sandbox.log.last == "psp-sandbox: knobs after POST /_sandbox/config: all default", "\(sandbox.log)")
        let created = service.deals.keys.sorted()
        #expect(created.count == 3)
        #expect(service.closedIDs.sorted() == created)
        #expect(service.deals.values.allSatisfy { $0.testData && $0.status == "closed" })
        try await service.stop()
        try await sandbox.stop()
    }

    @Test func cleanupClosesTheOpenTestDealsOfOneRunOrOfAll() async throws {
        try await AdminStandIn.with { service in
            func deal(_ run: String, status: String = "active", testData: Bool = true) -> AdminStandIn.StoredDeal {
                AdminStandIn.StoredDeal(
                    title: "hot 1/1 · gbload flash-sale \(run)", description: "Made by gbload for a load test (scenario flash-sale, run \(run)).",
                    status: status, testData: testData
                )
            }
            service.addDeal(id: 1, deal("runa"))
            service.addDeal(id: 2, deal("runa", status: "paused"))
            service.addDeal(id: 3, deal("runb"))
            service.addDeal(id: 4, deal("runa", status: "closed"))
            service.addDeal(id: 5, AdminStandIn.StoredDeal(title: "Mangoes", description: "Ripe.", status: "active", testData: false))
            let target = ["--url", service.url, "--token", "admin"]

            let dryRun = try await GBLoadProcess.run(["cleanup", "--run", "runa", "--dry-run"] + target)
            #expect(dryRun.status == 0, "\(dryRun.errorOutput)")
            #expect(dryRun.output.contains("2 open test-data deals of run runa (--dry-run: none closed)"), "\(dryRun.output)")
            #expect(service.closedIDs.isEmpty)

            let one = try await GBLoadProcess.run(["cleanup", "--run", "runa"] + target)
            #expect(one.status == 0, "\(one.errorOutput)")
            #expect(service.closedIDs.sorted() == [1, 2])
            #expect(one.output.contains("closed 2 of 2 open test-data deals of run runa"), "\(one.output)")

            let all = try await GBLoadProcess.run(["cleanup"] + target)
            #expect(all.status == 0, "\(all.errorOutput)")
            #expect(service.closedIDs.sorted() == [1, 2, 3], "only test data, only what was open")
            #expect(service.deals[5]?.status == "active")

            let none = try await GBLoadProcess.run(["cleanup"] + target)
            #expect(none.status == 0)
            #expect(none.output.contains("no open test-data deals"), "\(none.output)")
        }
    }

    @Test func cleanupExitsNonZeroWhenADealCannotBeClosedOrTheServiceIsGone() async throws {
        try await AdminStandIn.with(refuseCloses: true) { service in
            service.addDeal(id: 7, AdminStandIn.StoredDeal(title: "t", description: "Made by gbload for a load test (scenario s, run r).", status: "active", testData: true))
            let refused = try await GBLoadProcess.run(["cleanup", "--url", service.url, "--token", "admin"])
            #expect(refused.status == 1)
            #expect(refused.errorOutput.contains("deal 7 not closed"), "\(refused.errorOutput)")
        }
        let gone = try await GBLoadProcess.run(["cleanup", "--url", "http://127.0.0.1:1", "--token", "admin"])
        #expect(gone.status == 69)
        #expect(gone.errorOutput.contains("cannot list the test-data deals"), "\(gone.errorOutput)")
        let badRun = try await GBLoadProcess.run(["cleanup", "--run", "a b", "--token", "admin"])
        #expect(badRun.status == 64)
    }
}
