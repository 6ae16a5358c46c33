import ArgumentParser
import Foundation
import IOCore
import LoadGen

/// `gbload run SCENARIO`: set up through the admin API, load, settle, check, report.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a scenario file (loadtest/scenarios/*.yaml): setup, load, settle, checks, reports.",
        discussion: """
            After the checks the run puts back what it changed: the sandbox knobs the scenario set \
            get their earlier values, and the run's deals (test data, hidden from the public list) \
            are closed unless --keep-deals. The same happens when setup fails or on Ctrl-C/SIGTERM. \
            Exit status: 0 when every check passed; 1 when a check failed (an invariant, the error \
            rate, settling, the cleanup); 64 for a bad command line or scenario file; 69 when the \
            service, the provider or the database cannot be reached or setup failed; 130/143 when \
            interrupted by SIGINT/SIGTERM.
            """
    )

    @Argument(help: "The scenario file.") var scenario: String
    @OptionGroup var target: TargetOptions
    @OptionGroup var overrides: LoadOverrides
    @Flag(help: "A short, low-rate run of the scenario (what CI runs): a few seconds, small stock.") var smoke = false
    @Option(help: "Write the JSON report here (default: <out>/<scenario>-<time>.json).") var json: String?
    @Option(help: "Write the HTML report here (default: <out>/<scenario>-<time>.html).") var html: String?
    @Option(help: "Folder for reports without an explicit path.") var out = "gbload-results"
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Leave the run's deals open afterwards (gbload cleanup --run RUN closes them later).") var keepDeals = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var scenario = try ScenarioFile.load(self.scenario, environment: environment)
        if smoke { scenario = scenario.scaledForSmoke() }
        try overrides.apply(to: &scenario)
        let endpoints = try target.resolve(environment: environment, needsProvider: scenario.usesProvider)

        let cleanup = RunCleanup(
            runID: ScenarioSetup.makeRunID(), service: endpoints.service, adminToken: endpoints.adminToken, keepDeals: keepDeals
        )
        let run = ScenarioRun(
            scenario: scenario, service: endpoints.service, provider: endpoints.provider, adminToken: endpoints.adminToken,
            databaseURL: endpoints.databaseURL, loopCount: overrides.loops, cpus: try overrides.cpuList, cleanup: cleanup
        )
        let printer = quiet ? nil : ProgressPrinter()
        var progress: (@Sendable (ProgressSnapshot) -> Void)?
        if let printer { progress = { snapshot in printer.show(snapshot) } }
        let interruption = await Interruption.watch(cleanup) { printer?.finish() }
        defer { interruption.cancel() }
        let outcome: RunResult
        do {
            outcome = try await run.execute(progress: progress)
        } catch {
            printer?.finish()
            FileHandle.standardError.write(Data("gbload: setup failed: \(error.description)\n".utf8))
            throw ExitCode(69)
        }
        printer?.finish()

        print(TableReport.render(outcome))
        let stamp = ReportPaths.stamp(outcome.startedAt)
        try ReportPaths.write(JSONReport.render(outcome), to: json ?? "\(out)/\(scenario.name)-\(stamp).json")
        try ReportPaths.write(HTMLReport.render(outcome), to: html ?? "\(out)/\(scenario.name)-\(stamp).html")
        if !outcome.passed { throw ExitCode(1) }
    }
}
