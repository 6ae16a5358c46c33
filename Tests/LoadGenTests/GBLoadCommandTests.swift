import Foundation
import GroupBuyTesting
import Testing

/// The gbload executable's exit codes and messages for what people get wrong.
@Suite struct GBLoadCommandTests {
    /// The gbload built next to this test bundle.
    static var gbload: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gbload").path
    }

    func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Subprocess.Result {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GBLOAD_") && !$0.key.hasPrefix("PSP_") }
        environment.merge(extra) { $1 }
        // An empty working folder: no .local/gbctl.conf or .local/psp.env of a developer leaks in.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gbload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await Subprocess.run(Self.gbload, arguments, environment: environment, directory: folder.path)
    }

    func scenarioFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aScenarioFileWithAnErrorExits64NamingItsLine() async throws {
        let path = try scenarioFile("name: broken\nsteps:\n  - request: GET /v1/deals\n    expected: [200]\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await run(["run", path, "--token", "t", "--database-url", "postgresql://x@127.0.0.1:1/x"])
        #expect(result.status == 64)
        #expect(result.errorOutput.contains("\(path):4:"), "\(result.errorOutput)")
        #expect(result.errorOutput.contains("did you mean `expect`"), "\(result.errorOutput)")
    }

    @Test func contradictoryFlagsAreUsageErrors() async throws {
        let path = try scenarioFile("steps:\n  - request: GET /v1/deals\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let both = try await run(["run", path, "--rate", "10", "--vus", "2"])
        #expect(both.status == 64)
        #expect(both.errorOutput.contains("exclude each other"))
        let badDuration = try await run(["run", path, "--duration", "ten seconds"])
        #expect(badDuration.status == 64)
        let noToken = try await run(["run", path, "--database-url", "postgresql://x@127.0.0.1:1/x"])
        #expect(noToken.status == 64)
        #expect(noToken.errorOutput.contains("no admin token"))
    }

    @Test func anUnreachableServiceExits69BeforeAnyLoad() async throws {
        let path = try scenarioFile("steps:\n  - request: GET /v1/deals\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await run(["run", path, "--url", "http://127.0.0.1:1", "--token", "t", "--database-url", "postgresql://x@127.0.0.1:1/x", "--quiet"])
        #expect(result.status == 69)
        #expect(result.errorOutput.contains("setup failed"), "\(result.errorOutput)")
    }
}
