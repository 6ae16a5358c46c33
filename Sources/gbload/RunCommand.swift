import ArgumentParser

/// `gbload run SCENARIO`: setup, load, settle, checks, reports.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a scenario file from loadtest/scenarios/.")

    @Argument(help: "The scenario file.") var scenario: String

    func run() async throws {
        throw ValidationError("not wired yet")
    }
}
