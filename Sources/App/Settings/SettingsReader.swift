import Configuration
import Synchronization
import SystemPackage

/// Reads settings from, in order of precedence, the environment (`GROUPBUY_<KEY>`, e.g.
/// `server.max_connections` ← `GROUPBUY_SERVER_MAX_CONNECTIONS`), the YAML config file,
/// and the defaults in code. Remembers where each effective value came from, and every
/// value that is present but invalid, so the caller can refuse to start naming the key.
/// Every key is read through one of the typed methods below: a key read otherwise would be
/// refused as unknown (see `SettingsReader+UnknownNames.swift`).
struct SettingsReader {
    /// One setting as it ended up: for `--print-config`.
    struct Entry: Sendable, Equatable {
        var key: String
        /// As printed: secrets hidden, passwords in URLs masked.
        var value: String
        var source: Source
        /// The environment variable that gave the value (nil when it came from elsewhere).
        var variable: String?
    }

    enum Source: String, Sendable {
        case environment, file, defaults
    }

    private let reader: ConfigReader
    private let reporter: Reporter
    let environment: [String: String]
    let filePath: String?
    private(set) var entries: [Entry] = []
    private(set) var problems: [String] = []

    /// - Parameters:
    ///   - environment: the process environment (a parameter so tests can supply their own).
    ///   - filePath: the YAML file; nil for none.
    init(environment: [String: String], filePath: String?) async throws(SettingsError) {
        let reporter = Reporter()
        var providers: [any ConfigProvider] = [
            EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "groupbuy")
        ]
        if let filePath {
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
            } catch {
                throw SettingsError(problems: ["config file \(filePath): \(error)"])
            }
        }
        self.reader = ConfigReader(providers: providers, accessReporter: reporter)
        self.reporter = reporter
        self.environment = environment
        self.filePath = filePath
    }

    /// The environment variable that overrides `key`.
    static func environmentName(of key: String) -> String {
        "GROUPBUY_" + String(key.uppercased().map { $0 == "." ? "_" : $0 })
    }

    mutating func int(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Int {
        let value = reader.int(forKey: ConfigKey(key), default: defaultValue)
        return checked(key, value, valid: range.contains(value), expected: "an integer in \(range.lowerBound)...\(range.upperBound)")
    }

    mutating func bool(_ key: String, default defaultValue: Bool) -> Bool {
        let value = reader.bool(forKey: ConfigKey(key), default: defaultValue)
        return checked(key, value, valid: true, expected: "true or false")
    }

    mutating func string(_ key: String, default defaultValue: String, oneOf allowed: [String]? = nil) -> String {
        let value = reader.string(forKey: ConfigKey(key), default: defaultValue)
        let valid = allowed.map { $0.contains(value) } ?? !value.isEmpty
        let expected = allowed.map { "one of \($0.joined(separator: ", "))" } ?? "a non-empty string"
        return checked(key, value, valid: valid, expected: expected)
    }

    /// A string that may be empty (empty usually means "not used").
    mutating func optionalString(_ key: String, default defaultValue: String = "") -> String {
        let value = reader.string(forKey: ConfigKey(key), default: defaultValue)
        return checked(key, value, valid: true, expected: "a string")
    }

    /// A secret: read like a string, but `--print-config` shows only whether it is set.
    mutating func secret(_ key: String) -> String {
        let value = reader.string(forKey: ConfigKey(key), default: "")
        _ = checked(key, value.isEmpty ? "" : "(set, hidden)", valid: true, expected: "a string")
        return value
    }

    /// A service URL: `GROUPBUY_<KEY>`, else the conventional variable (`DATABASE_URL`,
    /// `REDIS_URL`; ignored when empty), else the file, else the default. `--print-config`
    /// masks its password. `allowEmpty`: an empty value is valid (it turns the service off).
    mutating func url(_ key: String, conventionalVariable: String, default defaultValue: String, allowEmpty: Bool) -> String {
        var value = reader.string(forKey: ConfigKey(key), default: defaultValue)
        let access = reporter.take(key)
        var entry = Entry(key: key, value: "", source: access.source, variable: nil)
        if access.source == .environment {
            entry.variable = Self.environmentName(of: key)
        } else if let conventional = environment[conventionalVariable], !conventional.isEmpty {
            value = conventional
            entry.source = .environment
            entry.variable = conventionalVariable
        }
        if let error = access.error, entry.variable != conventionalVariable {
            problems.append("\(describe(key, entry.source)): \(error); expected a URL")
        } else if value.isEmpty && !allowEmpty {
            problems.append("\(describe(key, entry.source, variable: entry.variable)): must not be empty; expected a URL")
        }
        entry.value = ConnectionURL.redacted(value)
        entries.append(entry)
        return value
    }

    /// Milliseconds as a `Duration`.
    mutating func milliseconds(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) -> Duration {
        .milliseconds(int(key, default: defaultValue, in: range))
    }

    private mutating func checked<Value>(_ key: String, _ value: Value, valid: Bool, expected: String) -> Value {
        let access = reporter.take(key)
        let source = access.source
        if let error = access.error {
            problems.append("\(describe(key, source)): \(error); expected \(expected)")
        } else if !valid {
            problems.append("\(describe(key, source)): \"\(value)\" is not valid; expected \(expected)")
        }
        let variable = source == .environment ? Self.environmentName(of: key) : nil
        entries.append(Entry(key: key, value: "\(value)", source: source, variable: variable))
        return value
    }

    private func describe(_ key: String, _ source: Source, variable: String? = nil) -> String {
        switch source {
        case .environment: "\(key) (from \(variable ?? Self.environmentName(of: key)))"
        case .file: "\(key) (from \(filePath ?? "the config file"))"
        case .defaults: "\(key) (default)"
        }
    }
}

/// Collects what the providers said about each key: which one answered, and any error.
private final class Reporter: AccessReporter {
    struct Access {
        var source: SettingsReader.Source = .defaults
        var error: String?
    }

    private let accesses = Mutex<[String: Access]>([:])

    func report(_ event: AccessEvent) {
        var access = Access()
        for provider in event.providerResults {
            switch provider.result {
            case .success(let lookup) where lookup.value != nil:
                if access.source == .defaults {
                    access.source = provider.providerName.contains("Environment") ? .environment : .file
                }
            case .success:
                continue
            case .failure(let error):
                if access.error == nil {
                    access.source = provider.providerName.contains("Environment") ? .environment : .file
                    access.error = "\(error)"
                }
            }
        }
        if access.error == nil, let conversion = event.conversionError {
            access.error = "\(conversion)"
        }
        let key = event.metadata.key.components.joined(separator: ".")
        let recorded = access
        accesses.withLock { $0[key] = recorded }
    }

    func take(_ key: String) -> Access {
        accesses.withLock { $0.removeValue(forKey: key) } ?? Access()
    }
}
