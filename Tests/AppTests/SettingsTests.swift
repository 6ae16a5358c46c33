import Foundation
import HTTPCodec
import HTTPServer
import Testing

@testable import App

@Suite struct SettingsTests {
    static let shippedConfig = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("config/groupbuy.yaml").path

    @Test func defaultsLoadWithoutAFile() async throws {
        let settings = try await Settings.load(environment: [:], configFile: nil)
        #expect(settings.server.port == 8080)
        #expect(settings.entries.allSatisfy { $0.source == "defaults" })
    }

    @Test func theShippedFileDocumentsEverySettingWithItsDefault() async throws {
        let defaults = try await Settings.load(environment: [:], configFile: nil)
        let fromFile = try await Settings.load(environment: [:], configFile: Self.shippedConfig)
        #expect(fromFile.entries.count == defaults.entries.count)
        for (shipped, builtIn) in zip(fromFile.entries, defaults.entries) {
            #expect(shipped.source == "file", "\(shipped.key) is missing from config/groupbuy.yaml")
            #expect(shipped.value == builtIn.value, "config/groupbuy.yaml says \(shipped.key): \(shipped.value), the default is \(builtIn.value)")
        }
    }

    @Test func theEnvironmentOverridesTheFile() async throws {
        let settings = try await Settings.load(
            environment: ["GROUPBUY_SERVER_PORT": "9099", "GROUPBUY_HTTP_MAX_BODY_BYTES": "2048", "GROUPBUY_LOG_ACCESS": "false"],
            configFile: Self.shippedConfig
        )
        #expect(settings.server.port == 9099)
        #expect(settings.server.limits.maxBodyBytes == 2048)
        #expect(settings.log.accessLog == false)
        #expect(settings.entries.first { $0.key == "server.port" }?.source == "environment")
        #expect(settings.entries.first { $0.key == "server.host" }?.source == "file")
    }

    @Test func millisecondSettingsBecomeDurations() async throws {
        let settings = try await Settings.load(environment: ["GROUPBUY_SERVER_HEADER_TIMEOUT_MS": "1500"], configFile: nil)
        #expect(settings.server.headerTimeout == .milliseconds(1500))
    }

    @Test(arguments: [
        ("GROUPBUY_SERVER_PORT", "eighty", "server.port (from GROUPBUY_SERVER_PORT)"),
        ("GROUPBUY_SERVER_PORT", "70000", "server.port (from GROUPBUY_SERVER_PORT)"),
        ("GROUPBUY_LOOPS_COUNT", "-2", "loops.count (from GROUPBUY_LOOPS_COUNT)"),
        ("GROUPBUY_LOG_LEVEL", "loud", "log.level (from GROUPBUY_LOG_LEVEL)"),
        ("GROUPBUY_SERVER_REUSE_PORT", "maybe", "server.reuse_port (from GROUPBUY_SERVER_REUSE_PORT)"),
        ("GROUPBUY_SERVER_IDLE_TIMEOUT_MS", "0", "server.idle_timeout_ms (from GROUPBUY_SERVER_IDLE_TIMEOUT_MS)"),
    ])
    func anInvalidValueIsRefusedNamingItsKey(variable: String, value: String, named: String) async throws {
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(environment: [variable: value], configFile: Self.shippedConfig)
        }
        let problems = try #require(error).problems
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix(named) == true, "\(problems)")
    }

    @Test func limitsThatDoNotFitABufferChunkAreRefused() async throws {
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(
                environment: ["GROUPBUY_HTTP_MAX_HEADER_BYTES": "65536", "GROUPBUY_BUFFERS_CHUNK_BYTES": "16384"],
                configFile: nil
            )
        }
        #expect(error?.description.contains("must fit in one buffer chunk") == true)
    }

    @Test func anInvalidValueInTheFileIsRefusedNamingTheFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("groupbuy-\(UUID()).yaml").path
        try "server:\n  port: many\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(environment: [:], configFile: path)
        }
        #expect(error?.problems.first?.hasPrefix("server.port (from \(path))") == true, "\(error?.problems ?? [])")
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("groupbuy-\(UUID()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aMisspeltVariableIsRefusedWithTheClosestSetting() async throws {
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(environment: ["GROUPBUY_SERVER_PROT": "9000"], configFile: Self.shippedConfig)
        }
        #expect(error?.problems == ["GROUPBUY_SERVER_PROT is not a setting (did you mean `GROUPBUY_SERVER_PORT`?)"])
    }

    @Test func aMisspeltKeyInTheFileIsRefusedWithTheClosestSetting() async throws {
        let path = try Self.temporaryFile("server:\n  prot: 9000\nredis:\n  url: redis://127.0.0.1:1\nlogs:\n  level: info\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(environment: [:], configFile: path)
        }
        #expect(
            error?.problems == [
                "logs.level (in \(path)) is not a setting (did you mean `log.level`?)",
                "server.prot (in \(path)) is not a setting (did you mean `server.port`?)",
            ]
        )
    }

    @Test func anEmptySectionInTheFileIsFine() async throws {
        let path = try Self.temporaryFile("server:\n  port: 9002\nredis:\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try await Settings.load(environment: [:], configFile: path).server.port == 9002)
    }

    @Test func theVariablesOfTheScriptsAndTestsAreLetThrough() async throws {
        let environment = Dictionary(uniqueKeysWithValues: SettingsReader.nonSettingVariables.map { ($0, "1") })
        _ = try await Settings.load(environment: environment, configFile: Self.shippedConfig)
    }

    /// Every GROUPBUY_* name the scripts, CI and docs use is a setting or on the documented
    /// list of non-settings: a script that exports a new one would stop groupbuyd.
    @Test func everyVariableTheScriptsUseIsASettingOrAllowed() async throws {
        let root = URL(fileURLWithPath: Self.shippedConfig).deletingLastPathComponent().deletingLastPathComponent()
        let settings = try await Settings.load(environment: [:], configFile: nil)
        let known = Set(settings.entries.map { SettingsReader.environmentName(of: $0.key) } + SettingsReader.nonSettingVariables)
        // Shell variables of the scripts themselves, never exported to groupbuyd; and the
        // misspelling README.md shows being refused.
        let shellOnly: Set<String> = ["GROUPBUY_SCRIPT_NAME", "GROUPBUY_COMMON_SH_LOADED", "GROUPBUY_DEBIAN_PACKAGES", "GROUPBUY_SERVER_PROT"]
        var unknown: [String] = []
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            let relative = url.path.dropFirst(root.path.count + 1)
            if relative.hasPrefix(".build") || relative.hasPrefix(".local") || relative.hasPrefix(".git/") || relative.hasPrefix("Fuzz/.build") {
                enumerator?.skipDescendants()
                continue
            }
            guard ["sh", "md", "yaml", "yml", "env", "service"].contains(url.pathExtension) || relative.hasPrefix(".ci/"),
                let text = try? String(contentsOf: url, encoding: .utf8)
            else { continue }
            for match in text.matches(of: /GROUPBUY_[A-Z0-9_]*[A-Z0-9]/) {
                let name = String(match.output)
                if !known.contains(name) && !shellOnly.contains(name) && !name.hasSuffix("_H") { unknown.append("\(relative): \(name)") }
            }
        }
        #expect(unknown.isEmpty, "add these to SettingsReader.nonSettingVariables (and config/groupbuy.yaml) or fix them: \(unknown)")
    }

    @Test(arguments: [
        // (environment, file's url, expected url, expected source, expected variable)
        (["GROUPBUY_DATABASE_URL": "postgresql://a@127.0.0.1:1/g", "DATABASE_URL": "postgresql://b@127.0.0.1:2/d"],
         "postgresql://c@127.0.0.1:3/f", "postgresql://a@127.0.0.1:1/g", "environment", "GROUPBUY_DATABASE_URL"),
        (["DATABASE_URL": "postgresql://b@127.0.0.1:2/d"], "postgresql://c@127.0.0.1:3/f", "postgresql://b@127.0.0.1:2/d", "environment", "DATABASE_URL"),
        (["DATABASE_URL": ""], "postgresql://c@127.0.0.1:3/f", "postgresql://c@127.0.0.1:3/f", "file", nil),
        ([:], nil, "postgresql://groupbuy@127.0.0.1:54329/groupbuy", "defaults", nil),
    ] as [([String: String], String?, String, String, String?)])
    func theDatabaseURLComesFromItsVariableThenDatabaseURLThenTheFile(
        environment: [String: String], file: String?, url: String, source: String, variable: String?
    ) async throws {
        let path = try file.map { try Self.temporaryFile("database:\n  url: \($0)\n") }
        defer { if let path { try? FileManager.default.removeItem(atPath: path) } }
        let settings = try await Settings.load(environment: environment, configFile: path)
        #expect(settings.database.url == url)
        let entry = try #require(settings.entries.first { $0.key == "database.url" })
        #expect(entry.source == source && entry.variable == variable, "\(entry)")
    }

    @Test(arguments: [
        (["GROUPBUY_REDIS_URL": "redis://127.0.0.1:1", "REDIS_URL": "redis://127.0.0.1:2"], "redis://127.0.0.1:1", "GROUPBUY_REDIS_URL"),
        (["REDIS_URL": "redis://127.0.0.1:2"], "redis://127.0.0.1:2", "REDIS_URL"),
        // An empty GROUPBUY_REDIS_URL turns the cache off even when REDIS_URL is set.
        (["GROUPBUY_REDIS_URL": "", "REDIS_URL": "redis://127.0.0.1:2"], "", "GROUPBUY_REDIS_URL"),
        ([:], "redis://127.0.0.1:63799", nil),
    ] as [([String: String], String, String?)])
    func theRedisURLFollowsTheSameRuleAndREDISURLBeatsTheFile(environment: [String: String], url: String, variable: String?) async throws {
        let settings = try await Settings.load(environment: environment, configFile: Self.shippedConfig)
        #expect(settings.redis.url == url)
        #expect(settings.entries.first { $0.key == "redis.url" }?.variable == variable)
    }

    @Test func anEmptyDatabaseURLIsRefused() async throws {
        let error = await #expect(throws: SettingsError.self) {
            _ = try await Settings.load(environment: ["GROUPBUY_DATABASE_URL": ""], configFile: nil)
        }
        #expect(error?.problems == ["database.url (from GROUPBUY_DATABASE_URL): must not be empty; expected a URL"])
    }

    @Test func printableMasksPasswordsAndNamesTheVariableThatGaveAURL() async throws {
        let settings = try await Settings.load(
            environment: [
                "DATABASE_URL": "postgresql://ana:hunter2@127.0.0.1:5432/groupbuy?sslmode=disable&password=hunter3",
                "GROUPBUY_REDIS_URL": "redis://:hunter4@127.0.0.1:6379", "GROUPBUY_PAYMENTS_API_KEY": "sk_live_hunter5",
            ],
            configFile: Self.shippedConfig
        )
        let text = settings.printable()
        #expect(!text.contains("hunter"), "\(text)")
        #expect(text.contains(#"  url: "postgresql://ana:***@127.0.0.1:5432/groupbuy?sslmode=disable&password=***"  # environment (DATABASE_URL)"#))
        #expect(text.contains(#"  url: "redis://:***@127.0.0.1:6379"  # environment (GROUPBUY_REDIS_URL)"#))
        #expect(text.contains(#"  api_key: "(set, hidden)"  # environment (GROUPBUY_PAYMENTS_API_KEY)"#) || text.contains("  api_key: (set, hidden)  # environment"))
        // The effective value itself is untouched.
        #expect(settings.database.url.contains("hunter2"))
    }

    @Test(arguments: [
        ("postgresql://u:p@10.0.0.1:5433/db", "postgresql://u:***@10.0.0.1:5433/db", "10.0.0.1:5433"),
        ("postgres://u@[::1]/db", "postgres://u@[::1]/db", "[::1]:5432"),
        ("host=10.0.0.2 port=6000 password='a b\\' c' dbname=x", "host=10.0.0.2 port=6000 password=*** dbname=x", "10.0.0.2:6000"),
        ("hostaddr=10.0.0.3 user=u", "hostaddr=10.0.0.3 user=u", "10.0.0.3:5432"),
        ("host=/var/run/postgresql", "host=/var/run/postgresql", nil),
        ("redis://:secret@127.0.0.1/2", "redis://:***@127.0.0.1/2", "127.0.0.1:5432"),
    ] as [(String, String, String?)])
    func connectionURLsAreShownWithoutTheirPassword(url: String, shown: String, address: String?) {
        #expect(ConnectionURL.redacted(url) == shown)
        #expect(ConnectionURL.address(url, defaultPort: 5432) == address)
    }

    @Test func printableShowsEveryKeyWithItsSource() async throws {
        let settings = try await Settings.load(environment: ["GROUPBUY_SERVER_PORT": "9001"], configFile: nil)
        let text = settings.printable()
        #expect(text.contains("  port: 9001  # environment (GROUPBUY_SERVER_PORT)"))
        #expect(text.contains("  host: 0.0.0.0  # defaults"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("  ") }.count == settings.entries.count)
    }
}
