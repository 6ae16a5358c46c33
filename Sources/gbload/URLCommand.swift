import ArgumentParser
import LoadGen

/// `gbload url URL`: one GET, repeated, closed loop (`--connections` users) or open loop
/// (`--rate`): the benchmark against wrk and a quick look at one route. No setup, no checks.
struct URLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "url", abstract: "Load one URL (GET), closed or open loop.")

    @Argument(help: "http://host:port/path (numeric host or localhost).") var url: String
    @Option(help: "Closed loop: virtual users, each on its keep-alive connection (also the default --max-in-flight).") var connections = 64
    @OptionGroup var overrides: LoadOverrides
    @Option(help: "Also write the JSON report here.") var json: String?

    func validate() throws {
        _ = try HTTPURL.parse(url)
        guard (1...100_000).contains(connections) else { throw ValidationError("--connections must be from 1 to 100000") }
    }

    func run() async throws {
        let (endpoint, path) = try HTTPURL.parse(url)
        let step = Step(
            name: "GET \(path)", target: .service, actor: .anonymous, method: "GET", path: .literal(path), headers: [], body: nil,
            chance: 1, saves: [], expect: Expectation(), line: 0
        )
        var scenario = Scenario(
            name: url, description: "gbload url", users: 0, usersPerIteration: 1, deals: [], sandboxConfig: nil,
            flows: [Flow(name: "url", weight: 1, steps: [step])],
            load: LoadProfile(
                mode: .closed(vus: connections), warmup: .zero, duration: .seconds(10), ramp: .zero, maxInFlight: connections,
                timeout: .seconds(5), iterations: nil
            ),
            settle: SettleSpec(untilDealsEnd: false, timeout: .zero),
            checks: CheckSpec(maxErrorRate: 1, soldOut: [], minGroupsSucceeded: 0, minGroupsFailed: 0)
        )
        try overrides.apply(to: &scenario)
        let context = RunContext(runID: "url", dealIDs: [:], users: [], adminToken: "", service: endpoint, provider: nil)
        let result = try await LoadRunner(scenario: scenario, context: context, loopCount: overrides.loops, cpus: try overrides.cpuList).run { _ in }
        print(TableReport.render(result))
        if let json { try ReportPaths.write(JSONReport.render(result), to: json) }
    }
}
