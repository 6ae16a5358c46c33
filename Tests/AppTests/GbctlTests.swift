import Foundation
import Testing

/// gbctl as operators use it: the real binary against a real groupbuyd over TCP.
@Suite(.serialized) struct GbctlTests {
    static var gbctl: String { Daemon.executable.deletingLastPathComponent().appendingPathComponent("gbctl").path }

    /// An empty config file, so a developer's ~/.config/gbctl/config cannot leak into tests.
    static let emptyConfig: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gbctl-test-\(UUID().uuidString).conf").path
        _ = FileManager.default.createFile(atPath: path, contents: Data("# no settings\n".utf8))
        return path
    }()

    /// Runs gbctl with the server and a fresh admin token in its environment.
    func gbctl(_ arguments: [String], port: Int, token: String? = nil, environment: [String: String] = [:]) async throws -> Daemon.Completed {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GBCTL_") && !$0.key.hasPrefix("GROUPBUY_") }
        env["GBCTL_SERVER"] = "http://127.0.0.1:\(port)"
        env["GROUPBUY_AUTH_JWT_KEYS"] = Daemon.testJWTKeys
        if let token { env["GBCTL_TOKEN"] = token }
        env["GBCTL_CONFIG"] = Self.emptyConfig
        env.merge(environment) { _, new in new }
        return try await Daemon.run(Self.gbctl, arguments, environment: env)
    }

    func adminToken(port: Int) async throws -> String {
        let issued = try await gbctl(["token", "issue", "--user", "ops-test", "--role", "admin", "--ttl", "10m"], port: port)
        #expect(issued.status == 0, "\(issued.stderr)")
        return issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func dealsAndStockEndToEnd() async throws {
        let daemon = try await Daemon.start(environment: ["GROUPBUY_LOG_ACCESS": "false"])
        defer { daemon.signal(SIGKILL) }
        let token = try await adminToken(port: daemon.port)
        let title = "Lychee crate \(UUID().uuidString.prefix(6))"
        let created = try await gbctl(
            ["deals", "create", "--json", "--title", title, "--currency", "EUR", "--list-price", "1800", "--group-price", "1200",
             "--group-size", "3", "--group-time-limit", "3600", "--starts-at", "2026-01-01T00:00:00Z", "--ends-at", "2030-01-01T00:00:00Z",
             "--per-user-limit", "2", "--status", "active", "--stock", "40"],
            port: daemon.port, token: token
        )
        #expect(created.status == 0, "\(created.stderr)")
        let deal = try #require(try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])
        let id = try #require(deal["id"] as? Int)

        let list = try await gbctl(["deals", "list", "--status", "active"], port: daemon.port)
        #expect(list.status == 0)
        #expect(list.stdout.hasPrefix("ID"))
        #expect(list.stdout.contains(title))
        #expect(list.stdout.contains("12.00 EUR"))

        let updated = try await gbctl(["deals", "update", "\(id)", "--title", title + " XL"], port: daemon.port, token: token)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdout.contains("version           2"))
        let stale = try await gbctl(["deals", "update", "\(id)", "--title", "x", "--if-version", "1"], port: daemon.port, token: token)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("412"))

        let stock = try await gbctl(["stock", "add", "\(id)", "9"], port: daemon.port, token: token)
        #expect(stock.status == 0)
        #expect(stock.stdout.contains("total      49"))
        let shown = try await gbctl(["stock", "show", "\(id)", "--json"], port: daemon.port, token: token)
        #expect((try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])?["available"] as? Int == 49)

        let closed = try await gbctl(["deals", "close", "\(id)"], port: daemon.port, token: token)
        #expect(closed.status == 0)
        #expect(closed.stdout.contains("closed"))

        let audit = try await gbctl(["audit", "list", "--entity", "\(id)"], port: daemon.port, token: token)
        #expect(audit.status == 0)
        let actions = audit.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true)[3] }
        #expect(actions == ["deal.close", "stock.add", "deal.update", "deal.create"])

        let status = try await gbctl(["status"], port: daemon.port)
        #expect(status.status == 0)
        #expect(status.stdout.contains("health               ok"))
        #expect(status.stdout.contains("version              0.1.0"))

        // Every list prints one JSON shape: {items, nextCursor}.
        let firstTwo = try await gbctl(["deals", "list", "--limit", "2", "--json"], port: daemon.port)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(firstTwo.stdout.utf8)) as? [String: Any], "\(firstTwo.stdout)")
        #expect(page.keys.sorted() == ["items", "nextCursor"])
        #expect((1...2).contains((page["items"] as? [Any])?.count ?? 0), "\(page)")
        for list in [["orders", "list"], ["groups", "list"], ["audit", "list"], ["outbox", "list"]] {
            let listed = try await gbctl(list + ["--json"], port: daemon.port, token: token)
            #expect(listed.status == 0, "\(list): \(listed.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any]
            #expect(object?.keys.sorted() == ["items", "nextCursor"], "\(list): \(listed.stdout)")
        }
    }

    @Test func failuresSayWhatIsWrongAndExitNonZero() async throws {
        let daemon = try await Daemon.start(environment: ["GROUPBUY_LOG_ACCESS": "false"])
        defer { daemon.signal(SIGKILL) }
        let token = try await adminToken(port: daemon.port)
        let invalid = try await gbctl(["deals", "create", "--title", "", "--currency", "eu"], port: daemon.port, token: token)
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("- title: must not be empty"))
        #expect(invalid.stderr.contains("- currency: must be an ISO 4217 code"))
        let anonymous = try await gbctl(["deals", "close", "1"], port: daemon.port)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("401"))
        let buyer = try await gbctl(["token", "issue", "--user", "b", "--role", "buyer"], port: daemon.port).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let forbidden = try await gbctl(["stock", "add", "1", "5"], port: daemon.port, token: buyer)
        #expect(forbidden.status == 1)
        #expect(forbidden.stderr.contains("403"))
        let missing = try await gbctl(["deals", "show", "999999999999"], port: daemon.port)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("404"))
        let down = try await gbctl(["deals", "list"], port: 1)
        #expect(down.status == 4)
        #expect(down.stderr.contains("cannot reach"))
        for role in ["root", "superuser"] {
            let badRole = try await gbctl(["token", "issue", "--user", "u", "--role", role], port: daemon.port)
            #expect(badRole.status == 64, "\(role): \(badRole.stderr)")
            #expect(badRole.stderr.contains("--role must be buyer or admin"), "\(badRole.stderr)")
        }
        await #expect(try gbctl(["token", "issue", "--user", "u", "--role", "admin", "--ttl", "soon"], port: daemon.port).status == 64)
        let noKeys = try await gbctl(["token", "issue", "--user", "u", "--role", "admin"], port: daemon.port, environment: ["GROUPBUY_AUTH_JWT_KEYS": ""])
        #expect(noKeys.status == 5)
        #expect(noKeys.stderr.contains("no signing key"))
        // It points at the keys file the README uses.
        #expect(noKeys.stderr.contains("GROUPBUY_AUTH_JWT_KEYS_FILE") && noKeys.stderr.contains(".local/dev-jwt-keys"), "\(noKeys.stderr)")
        let fromFile = FileManager.default.temporaryDirectory.appendingPathComponent("gbctl-keys-\(UUID().uuidString)").path
        try Daemon.testJWTKeys.write(toFile: fromFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: fromFile) }
        let signed = try await gbctl(
            ["token", "issue", "--user", "u", "--role", "admin"], port: daemon.port,
            environment: ["GROUPBUY_AUTH_JWT_KEYS": "", "GROUPBUY_AUTH_JWT_KEYS_FILE": fromFile]
        )
        #expect(signed.status == 0, "\(signed.stderr)")
        // An unknown command gets a suggestion and the usage exit code.
        for (typed, meant) in [(["deal", "list"], "`deals`"), (["deals", "lst"], "`deals list`"), (["stauts"], "`status`")] {
            let unknown = try await gbctl(typed, port: daemon.port)
            #expect(unknown.status == 64, "\(typed)")
            #expect(unknown.stderr.contains("unknown command") && unknown.stderr.contains("did you mean \(meant)?"), "\(typed): \(unknown.stderr)")
        }
        let usage = try await gbctl(["deals", "show", "abc"], port: daemon.port)
        #expect(usage.status == 64)
        for limit in ["0", "501"] {
            let badLimit = try await gbctl(["audit", "list", "--limit", limit], port: daemon.port)
            #expect(badLimit.status == 64, "--limit \(limit)")
            #expect(badLimit.stderr.contains("--limit must be from 1 to 500"), "--limit \(limit)")
        }
        for command in [["--help"], ["deals", "--help"], ["deals", "update", "--help"], ["stock", "add", "--help"], ["migrate", "up", "--help"],
                        ["token", "issue", "--help"], ["audit", "list", "--help"], ["status", "--help"], ["outbox", "list", "--help"],
                        ["help", "deals", "list"]] {
            let help = try await gbctl(command, port: daemon.port)
            #expect(help.status == 0, "\(command)")
            #expect(help.stdout.contains("USAGE"), "\(command)")
        }
        // One --version in `deals update`: the tool's; the deal's is --if-version.
        let update = try await gbctl(["deals", "update", "--help"], port: daemon.port).stdout
        #expect(update.components(separatedBy: "--version").count == 2, "\(update)")
        #expect(update.contains("--if-version"))
    }

    /// A server URL gbctl cannot use is refused before any request, saying why; one where
    /// nobody listens is unreachable (4), naming the URL. No daemon needed.
    @Test func serverURLsItCannotUseSayWhyAndExitNonZero() async throws {
        let https = try await gbctl(["deals", "list", "--server", "https://127.0.0.1:8443"], port: 1)
        #expect(https.status == 5, "\(https.stderr)")
        #expect(https.stderr.contains("https://") && https.stderr.contains("no TLS") && https.stderr.contains("http://"), "\(https.stderr)")
        for bad in ["127.0.0.1:8080", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:8080/v1?x=1"] {
            let refused = try await gbctl(["deals", "list", "--server", bad], port: 1)
            #expect(refused.status == 5, "\(bad): \(refused.stderr)")
            #expect(refused.stderr.contains("the server URL \(bad) is not an http://host[:port][/prefix] URL"), "\(bad): \(refused.stderr)")
        }
        let down = try await gbctl(["audit", "list"], port: 1)
        #expect(down.status == 4, "\(down.stderr)")
        #expect(down.stderr.hasPrefix("gbctl: cannot reach http://127.0.0.1:1: "), "\(down.stderr)")
    }

    @Test func theConfigFileGivesServerAndTokenAndFlagsWin() async throws {
        let daemon = try await Daemon.start(environment: ["GROUPBUY_LOG_ACCESS": "false"])
        defer { daemon.signal(SIGKILL) }
        let token = try await adminToken(port: daemon.port)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gbctl-\(UUID().uuidString).conf").path
        try "# gbctl\nserver: http://127.0.0.1:\(daemon.port)\ntoken: \"\(token)\"\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try await gbctl(["audit", "list", "--limit", "1"], port: 1, environment: ["GBCTL_SERVER": "", "GBCTL_CONFIG": path])
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let flagWins = try await gbctl(["audit", "list", "--server", "http://127.0.0.1:1"], port: 1, environment: ["GBCTL_SERVER": "", "GBCTL_CONFIG": path])
        #expect(flagWins.status == 4)
        let broken = FileManager.default.temporaryDirectory.appendingPathComponent("gbctl-\(UUID().uuidString).conf").path
        try "server http://x\n".write(toFile: broken, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let refused = try await gbctl(["status"], port: daemon.port, environment: ["GBCTL_CONFIG": broken])
        #expect(refused.status == 5)
        #expect(refused.stderr.contains(":1: expected `key: value`"))
    }

    @Test func migrateStatusAndUpAgainstTheTestDatabase() async throws {
        let migrations = Daemon.serviceEnvironment["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY"]!
        let url = Daemon.serviceEnvironment["GROUPBUY_DATABASE_URL"]!
        let up = try await gbctl(["migrate", "up", "--database-url", url, "--migrations", migrations], port: 1)
        #expect(up.status == 0, "\(up.stderr)")
        let status = try await gbctl(["migrate", "status", "--json", "--database-url", url, "--migrations", migrations], port: 1)
        #expect(status.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        #expect((object["pending"] as? [Int]) == [])
        #expect((object["applied"] as? [Int])?.contains(1) == true)
        #expect((object["repeatablesPending"] as? [String]) == [])
        #expect((object["repeatablesApplied"] as? [String])?.contains("functions/orders.sql") == true)
        let unreachable = try await gbctl(["migrate", "status", "--database-url", "postgresql://nobody@127.0.0.1:1/none", "--migrations", migrations], port: 1)
        #expect(unreachable.status == 4)
        #expect(unreachable.stderr.contains("cannot connect to 127.0.0.1:1"), "names where it tried: \(unreachable.stderr)")
    }
}
