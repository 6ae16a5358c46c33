import ArgumentParser
import Foundation
import LoadGen

/// `gbload compare OLD.json NEW.json`: throughput and latency per step, side by side, with new/old ratios.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "compare", abstract: "Compare two JSON reports of gbload runs.")

    @Argument(help: "The earlier run's JSON report.") var old: String
    @Argument(help: "The later run's JSON report.") var new: String

    func run() throws {
        let texts = try [old, new].map { path in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw ValidationError("cannot read \(path)") }
            return text
        }
        do {
            print(try RunComparison(old: texts[0], new: texts[1]).render(), terminator: "")
        } catch {
            throw ValidationError(error.description)
        }
    }
}
