import ArgumentParser
import Foundation

/// Where the server is and who we are; flags win over the environment, which wins over the file.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Server base URL, http://host[:port][/prefix] (default: GBCTL_SERVER, the config file, else http://127.0.0.1:8080).")
    var server: String?

    @Option(help: "Bearer token (default: GBCTL_TOKEN or the config file).")
    var token: String?

    @Option(help: "Config file with `server:` and `token:` lines (default: GBCTL_CONFIG or ~/.config/gbctl/config).")
    var config: String?

    @Flag(help: "Print the server's JSON instead of a table.")
    var json = false

    func client() throws -> APIClient {
        let environment = ProcessInfo.processInfo.environment
        let file = try ConfigFile.load(path: config ?? environment["GBCTL_CONFIG"])
        let base = [server, environment["GBCTL_SERVER"], file["server"]].lazy.compactMap { $0 }.first { !$0.isEmpty } ?? "http://127.0.0.1:8080"
        return APIClient(server: try ServerURL(base), token: [token, environment["GBCTL_TOKEN"], file["token"]].lazy.compactMap { $0 }.first { !$0.isEmpty })
    }
}

/// `key: value` lines; `#` starts a comment.
enum ConfigFile {
    static func load(path: String?) throws -> [String: String] {
        let explicit = path != nil
        let path = path ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config/gbctl/config").path
        guard FileManager.default.fileExists(atPath: path) else {
            if explicit { throw CLIError(.other, "config file \(path) does not exist") }
            return [:]
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw CLIError(.other, "config file \(path) cannot be read") }
        var values: [String: String] = [:]
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !content.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            guard let colon = content.firstIndex(of: ":") else { throw CLIError(.other, "\(path):\(number + 1): expected `key: value`") }
            let key = content[..<colon].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw CLIError(.other, "\(path):\(number + 1): expected `key: value`")
            }
            var value = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            values[key] = value
        }
        return values
    }
}
