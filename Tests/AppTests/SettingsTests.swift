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

    @Test func printableShowsEveryKeyWithItsSource() async throws {
        let settings = try await Settings.load(environment: ["GROUPBUY_SERVER_PORT": "9001"], configFile: nil)
        let text = settings.printable()
        #expect(text.contains("  port: 9001  # environment"))
        #expect(text.contains("  host: 0.0.0.0  # defaults"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("  ") }.count == settings.entries.count)
    }
}
