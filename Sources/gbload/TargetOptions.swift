import ArgumentParser
import Foundation
import LoadGen

/// Where the service, the provider and the database are, and the admin token: flags, else
/// the environment, else what `scripts/run.sh` wrote to .local/ (gbctl.conf, psp.env).
struct TargetOptions: ParsableArguments {
    @Option(help: "The service (default: GBLOAD_URL, .local/gbctl.conf's server, else http://127.0.0.1:8080).") var url: String?
    @Option(help: "Admin bearer token for setup and checks (default: GBLOAD_TOKEN, else .local/gbctl.conf's token).") var token: String?
    @Option(help: "psp-sandbox (default: PSP_URL, else .local/psp.env).") var pspURL: String?
    @Option(help: "psp-sandbox API key (default: PSP_KEY, else .local/psp.env).") var pspKey: String?
    @Option(help: "PostgreSQL of the service, for the invariant checks (default: GBLOAD_DATABASE_URL, else DATABASE_URL).") var databaseURL: String?

    struct Resolved {
        var service: Endpoint
        var provider: Endpoint?
        var adminToken: String
        var databaseURL: String
    }

    func resolve(environment: [String: String], needsProvider: Bool) throws -> Resolved {
        let psp = Self.keyValues(file: ".local/psp.env", separator: "=")
        let (service, adminToken) = try Self.service(url: url, token: token, environment: environment)
        guard let databaseURL = databaseURL ?? environment["GBLOAD_DATABASE_URL"].nonEmpty ?? environment["DATABASE_URL"].nonEmpty else {
            throw ValidationError("no database for the invariant checks: give --database-url or GBLOAD_DATABASE_URL")
        }
        var provider: Endpoint?
        if needsProvider {
            guard let pspURL = pspURL ?? environment["PSP_URL"].nonEmpty ?? psp["PSP_URL"],
                  let key = pspKey ?? environment["PSP_KEY"].nonEmpty ?? psp["PSP_KEY"]
            else {
                throw ValidationError("this scenario pays through psp-sandbox: give --psp-url and --psp-key (or PSP_URL/PSP_KEY)")
            }
            provider = try Self.endpoint(pspURL, bearer: key)
        }
        return Resolved(service: service, provider: provider, adminToken: adminToken, databaseURL: databaseURL)
    }

    /// The service and the admin token alone (`gbload cleanup` needs no database or provider).
    static func service(url: String?, token: String?, environment: [String: String]) throws -> (service: Endpoint, adminToken: String) {
        let gbctl = Self.keyValues(file: ".local/gbctl.conf", separator: ":")
        let serviceURL = url ?? environment["GBLOAD_URL"].nonEmpty ?? gbctl["server"] ?? "http://127.0.0.1:8080"
        guard let adminToken = token ?? environment["GBLOAD_TOKEN"].nonEmpty ?? gbctl["token"] else {
            throw ValidationError("no admin token: give --token or GBLOAD_TOKEN (gbctl token issue --user gbload --role admin), or run scripts/run.sh first")
        }
        return (try endpoint(serviceURL, bearer: nil), adminToken)
    }

    static func endpoint(_ text: String, bearer: String?) throws -> Endpoint {
        try HTTPURL.parse(text, bearer: bearer).endpoint
    }

    /// `key<sep>value` lines of a small file; empty when it does not exist.
    static func keyValues(file: String, separator: Character) -> [String: String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let index = line.firstIndex(of: separator) else { continue }
            let key = line[..<index].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: index)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            values[key] = value
        }
        return values
    }
}

extension Optional where Wrapped == String {
    /// nil for nil and for "" (an unset variable and an empty one mean the same here).
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
