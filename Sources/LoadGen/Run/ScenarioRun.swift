import Foundation
import IOCore
import HTTPClient

/// One whole run of a scenario: setup through the admin API, the load, settling, every
/// invariant and the scenario's own checks, then putting back what it changed (`cleanup`:
/// the sandbox's knobs, the run's deals closed). What `gbload run` does between reading the
/// file and printing the reports.
public struct ScenarioRun: Sendable {
    public var scenario: Scenario
    public var service: Endpoint
    public var provider: Endpoint?
    public var adminToken: String
    /// The service's database, for settling and the invariant checks.
    public var databaseURL: String
    /// Loops (threads) that send the load, and the CPUs they are pinned to.
    public var loopCount: Int
    public var cpus: [Int]?
    /// Learns what setup changes; performed after the checks, or when setup or the load fails.
    public var cleanup: RunCleanup

    public init(
        scenario: Scenario, service: Endpoint, provider: Endpoint?, adminToken: String, databaseURL: String, loopCount: Int, cpus: [Int]?,
        cleanup: RunCleanup
    ) {
        self.cleanup = cleanup
        self.scenario = scenario
        self.service = service
        self.provider = provider
        self.adminToken = adminToken
        self.databaseURL = databaseURL
        self.loopCount = loopCount
        self.cpus = cpus
    }

    /// The run's result with its checks filled in, the last one `cleanup`. Throws only when
    /// setup fails (nothing was loaded; what setup made is put back first); every later
    /// failure is a failed check in the result.
    public func execute(progress: (@Sendable (ProgressSnapshot) -> Void)?) async throws(ScenarioSetupError) -> RunResult {
        // Setup, settling and checks use one loop of their own, apart from the load's loops.
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(count: 1)
        } catch {
            throw ScenarioSetupError(call: "starting an event loop", status: nil, detail: "\(error)")
        }
        defer { group.shutdown() }
        let clients = HTTPClients(loops: group.loops)
        let loop = group.loops[0]
        let started = Date()

        let setup = ScenarioSetup(
            service: service, provider: provider, adminToken: adminToken, clients: clients, runID: cleanup.runID, cleanup: cleanup
        )
        let context: RunContext
        var result: RunResult
        do throws(ScenarioSetupError) {
            context = try await setup.run(scenario)
            do {
                let runner = LoadRunner(scenario: scenario, context: context, loopCount: loopCount, cpus: cpus)
                result = try await runner.run(progress: progress ?? { _ in })
            } catch {
                throw ScenarioSetupError(call: "starting the load", status: nil, detail: "\(error)")
            }
        } catch {
            guard cleanup.hasChanges else { throw error }
            let outcome = await cleanup.perform()
            await clients.closeIdleConnections()
            throw ScenarioSetupError(call: error.call, status: error.status, detail: error.detail + " (cleanup: \(outcome.detail))")
        }
        result.runID = cleanup.runID

        var checks: [CheckOutcome] = []
        checks.append(await Settler(databaseURL: databaseURL, loop: loop, clients: clients).settle(scenario, context: context, since: started))
        checks += await InvariantChecker(databaseURL: databaseURL, loop: loop).check(dealIDs: context.dealIDs.values.flatMap { $0 }.sorted())
        if scenario.usesProvider {
            checks.append(await InvariantChecker.reconcile(context: context, clients: clients, since: started))
        }
        let dealIDs = context.dealIDs.values.flatMap { $0 }
        let figures = await ScenarioChecks.figures(dealIDs: dealIDs, databaseURL: databaseURL, loop: loop)
        checks += ScenarioChecks.evaluate(result: result, scenario: scenario, context: context, figures: figures)
        result.business = try? figures.get().business
        // Only now: settling and the checks ran with the scenario's knobs and open deals.
        checks.append(await cleanup.perform())
        result.checks = checks
        await clients.closeIdleConnections()
        return result
    }
}
