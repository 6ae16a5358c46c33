import ArgumentParser

/// `gbload url URL`: one request, repeated (the benchmark against wrk).
struct URLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "url", abstract: "Load one URL (GET), closed or open loop.")

    @Argument(help: "http://host:port/path") var url: String

    func run() async throws {
        throw ValidationError("not wired yet")
    }
}
