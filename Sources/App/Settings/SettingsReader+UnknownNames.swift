import Foundation
import Suggestions
import Yams

extension SettingsReader {
    /// `GROUPBUY_*` variables that are not settings: read by scripts/ and the tests, and
    /// passed on to groupbuyd by them (or by a shell that exports them). Every other
    /// `GROUPBUY_*` variable must name a setting, so that a misspelt one stops the server
    /// instead of being ignored. Documented in config/groupbuy.yaml and README.md.
    static let nonSettingVariables: [String] = [
        "GROUPBUY_ROOT",  // exported by scripts/lib/common.sh
        "GROUPBUY_STATE_DIR", "GROUPBUY_PG_PORT", "GROUPBUY_REDIS_PORT", "GROUPBUY_PG_BIN", "GROUPBUY_PG_DURABLE",
        "GROUPBUY_START_TIMEOUT",  // scripts/services.sh
        "GROUPBUY_SKIP_DEPS", "GROUPBUY_KEEP_SERVICES", "GROUPBUY_NO_SANDBOX", "GROUPBUY_RUN_LOG",  // scripts/run.sh, test.sh
        "GROUPBUY_TEST_DATABASE_URL",  // the test suite's database
        "GROUPBUY_FUZZ_SECONDS", "GROUPBUY_FUZZ_PRODUCT", "GROUPBUY_FUZZ_PRODUCTS", "GROUPBUY_FUZZ_DIR",  // scripts/fuzz.sh
        "GROUPBUY_ALLOC_PORT",  // loadtest/alloc/count-allocations.sh
    ]

    /// One problem per `GROUPBUY_*` variable and per config-file key that no setting reads,
    /// each with the closest known name. Call after every setting has been read.
    func unknownNames() -> [String] {
        let keys = entries.map(\.key)
        let variables = keys.map(Self.environmentName(of:))
        var problems: [String] = []
        for name in environment.keys.sorted() where name.hasPrefix("GROUPBUY_") {
            guard !variables.contains(name), !Self.nonSettingVariables.contains(name) else { continue }
            problems.append("\(name) is not a setting\(Suggestion.hint(for: name, among: variables + Self.nonSettingVariables))")
        }
        if let filePath, let fileKeys = try? Self.keys(inYAMLFile: filePath) {
            let sections = Set(keys.compactMap { $0.split(separator: ".").first.map(String.init) })
            for key in fileKeys where !keys.contains(key) && !sections.contains(key) {
                problems.append("\(key) (in \(filePath)) is not a setting\(Suggestion.hint(for: key, among: keys))")
            }
        }
        return problems
    }

    /// Every leaf key of a YAML file as `section.key` (a list is one leaf; an empty section is
    /// its own name). The file was already read by the settings provider, so it parses.
    static func keys(inYAMLFile path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var keys: [String] = []
        func walk(_ node: Any?, _ prefix: String) {
            guard let mapping = node as? [AnyHashable: Any] else {
                if !prefix.isEmpty { keys.append(prefix) }
                return
            }
            for (name, value) in mapping {
                let name = "\(name)"
                walk(value, prefix.isEmpty ? name : prefix + "." + name)
            }
        }
        walk(try Yams.load(yaml: text), "")
        return keys.sorted()
    }
}
