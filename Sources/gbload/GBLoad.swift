import ArgumentParser

/// gbload: the load generator (loadtest/README.md).
@main
struct GBLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gbload",
        abstract: "Load-test GroupBuy with a scenario, or one URL.",
        subcommands: [RunCommand.self, URLCommand.self, CompareCommand.self, CleanupCommand.self],
        defaultSubcommand: RunCommand.self
    )
}
