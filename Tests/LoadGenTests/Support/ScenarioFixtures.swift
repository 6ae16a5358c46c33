import Foundation
import LoadGen

/// The repository root, found from this file's path (Tests/LoadGenTests/Support/…).
let scenarioRepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The scenario files that ship in loadtest/scenarios/.
func shippedScenarioFiles() throws -> [URL] {
    let directory = scenarioRepositoryRoot.appendingPathComponent("loadtest/scenarios")
    return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "yaml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
}

/// The error parsing `text` gives (nil when it parses).
func scenarioError(_ text: String, environment: [String: String] = [:]) -> ScenarioError? {
    do {
        _ = try ScenarioParser.parse(text, file: "test.yaml", environment: environment)
        return nil
    } catch {
        return error
    }
}
