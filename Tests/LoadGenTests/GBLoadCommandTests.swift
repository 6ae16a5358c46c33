import Foundation
import GroupBuyTesting
import Testing

/// The gbload executable's exit codes and messages for what people get wrong.
@Suite struct GBLoadCommandTests {
    func run(_ arguments: [String]) async throws -> Subprocess.Result {
        try await GBLoadProcess.run(arguments)
    }

    func scenarioFile(_ text: String) throws -> String {
        try GBLoadProcess.scenarioFile(text)
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
