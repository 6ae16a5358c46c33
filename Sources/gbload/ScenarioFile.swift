import ArgumentParser
import Foundation
import LoadGen

/// Reads and parses a scenario file; a bad file is a usage error (exit 64) naming its line.
enum ScenarioFile {
    static func load(_ path: String, environment: [String: String]) throws -> Scenario {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read the scenario file \(path)")
        }
        do {
            return try ScenarioParser.parse(text, file: path, environment: environment)
        } catch {
            FileHandle.standardError.write(Data("gbload: \(error.description)\n".utf8))
            throw ExitCode(64)
        }
    }
}
