import App
import ArgumentParser
import Foundation

@main
struct GroupBuyDaemon: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "groupbuyd",
        abstract: "The GroupBuy order service.",
        discussion: """
            Settings come from the environment (GROUPBUY_<SECTION>_<KEY>, e.g. GROUPBUY_SERVER_PORT=8080), \
            then the config file, then built-in defaults. config/groupbuy.yaml documents every key.
            """,
        version: version
    )

    @Option(name: .long, help: "YAML config file (default: config/groupbuy.yaml when it exists).")
    var config: String?

    @Flag(name: .long, help: "Print the effective settings and where each came from, then exit.")
    var printConfig = false

    @Flag(name: .long, help: "Apply pending database migrations (migrations/), then exit.")
    var migrate = false

    func run() async throws {
        let path = config ?? (FileManager.default.fileExists(atPath: "config/groupbuy.yaml") ? "config/groupbuy.yaml" : nil)
        if let path, !FileManager.default.fileExists(atPath: path) {
            FileHandle.standardError.write(Data("groupbuyd: config file \(path) does not exist\n".utf8))
            throw ExitCode(78)
        }
        let settings: Settings
        do {
            settings = try await Settings.load(environment: ProcessInfo.processInfo.environment, configFile: path)
        } catch {
            FileHandle.standardError.write(Data("groupbuyd: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        if printConfig {
            print(settings.printable(), terminator: "")
            return
        }
        do {
            if migrate {
                let applied = try await Application.migrate(settings: settings)
                print(applied.map { "groupbuyd: applied \($0)" } ?? "groupbuyd: the schema is up to date")
                return
            }
            try await Application.run(settings: settings, version: Self.version)
        } catch let failure as StartFailure {
            FileHandle.standardError.write(Data("groupbuyd: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}
