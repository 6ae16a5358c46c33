import Foundation
import GroupBuyTesting
import Testing

/// groupbuyd as operators run it: a real process, real signals, curl and wrk over TCP.
@Suite(.serialized) struct DaemonProcessTests {
    @Test func printConfigPrintsTheEffectiveSettings() async throws {
        let result = try await Daemon.runToCompletion(arguments: ["--print-config"], environment: ["GROUPBUY_SERVER_PORT": "9123"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("  port: 9123  # environment"))
    }

    @Test func anInvalidSettingExitsNonZeroNamingTheKey() async throws {
        let result = try await Daemon.runToCompletion(arguments: [], environment: ["GROUPBUY_SERVER_MAX_CONNECTIONS": "lots"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("server.max_connections (from GROUPBUY_SERVER_MAX_CONNECTIONS)"))
    }

    @Test func aMisspeltVariableStopsTheServerNamingItWithASuggestion() async throws {
        let result = try await Daemon.runToCompletion(arguments: [], environment: ["GROUPBUY_SERVER_PROT": "9000"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("GROUPBUY_SERVER_PROT is not a setting (did you mean `GROUPBUY_SERVER_PORT`?)"), "\(result.stderr)")
    }

    @Test func aMisspeltKeyInTheConfigFileStopsTheServerNamingItWithASuggestion() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("groupbuy-\(UUID()).yaml").path
        try "server:\n  prot: 9000\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Daemon.runToCompletion(arguments: ["--config", path], environment: [:])
        #expect(result.status == 78)
        #expect(result.stderr.contains("server.prot (in \(path)) is not a setting (did you mean `server.port`?)"), "\(result.stderr)")
    }

    /// DATABASE_URL and REDIS_URL (what scripts/services.sh prints) are used over the file, and
    /// --print-config says so, with the password masked.
    @Test func printConfigShowsWhichVariableGaveEachURLWithoutItsPassword() async throws {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GROUPBUY_") }
        environment["DATABASE_URL"] = "postgresql://groupbuy:s3cret-pw@127.0.0.1:5999/groupbuy"
        environment["REDIS_URL"] = "redis://127.0.0.1:6999"
        let shipped = URL(fileURLWithPath: SettingsTests.shippedConfig).path
        let result = try await Daemon.run(Daemon.executable.path, ["--config", shipped, "--print-config"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#"  url: "postgresql://groupbuy:***@127.0.0.1:5999/groupbuy"  # environment (DATABASE_URL)"#), "\(result.stdout)")
        #expect(result.stdout.contains(#"  url: "redis://127.0.0.1:6999"  # environment (REDIS_URL)"#), "\(result.stdout)")
        #expect(!result.stdout.contains("s3cret-pw"))
    }

    /// "Connection refused" says where: the host and port of the database tried at start.
    @Test func anUnreachableDatabaseAtStartIsNamedByHostAndPort() async throws {
        let result = try await Daemon.runToCompletion(arguments: [], environment: ["GROUPBUY_DATABASE_URL": "postgresql://groupbuy@127.0.0.1:1/groupbuy"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("cannot reach the database"), "\(result.stderr)")
        #expect(result.stderr.contains("cannot connect to 127.0.0.1:1"), "\(result.stderr)")
    }

    @Test func aMissingConfigFileExitsNonZero() async throws {
        let result = try await Daemon.runToCompletion(arguments: ["--config", "/nonexistent/groupbuy.yaml"], environment: [:])
        #expect(result.status == 78)
        #expect(result.stderr.contains("/nonexistent/groupbuy.yaml"))
    }

    @Test func refusesToStartOnASchemaOlderThanItNeeds() async throws {
        // This build's migrations plus one the database has not seen yet.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gb-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let shipped = Daemon.serviceEnvironment["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY"]!
        for file in try FileManager.default.contentsOfDirectory(atPath: shipped) where file.hasSuffix(".sql") {
            try FileManager.default.copyItem(atPath: shipped + "/" + file, toPath: folder.appendingPathComponent(file).path)
        }
        try "SELECT 1;".write(to: folder.appendingPathComponent("9999_from_the_future.sql"), atomically: true, encoding: .utf8)
        let result = try await Daemon.runToCompletion(
            arguments: [],
            environment: ["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY": folder.path, "GROUPBUY_DATABASE_MIGRATE_ON_START": "false"]
        )
        #expect(result.status == 78)
        #expect(result.stderr.contains("lacks migration(s) 9999"))
        #expect(result.stderr.contains("groupbuyd --migrate"))
    }

    @Test func refusesToStartWithoutJWTKeys() async throws {
        let result = try await Daemon.runToCompletion(arguments: [], environment: ["GROUPBUY_AUTH_JWT_KEYS": ""])
        #expect(result.status == 78)
        #expect(result.stderr.contains("auth.jwt_keys is not set"))
        let short = try await Daemon.runToCompletion(arguments: [], environment: ["GROUPBUY_AUTH_JWT_KEYS": "k1:too-short"])
        #expect(short.status == 78)
        #expect(short.stderr.contains("auth.jwt_keys"))
        #expect(!short.stderr.contains("too-short"))  // the secret is never printed
    }

    @Test func servesTheBenchmarkAndOperationsRoutesToCurl() async throws {
        let daemon = try await Daemon.start()
        let json = try await Daemon.curl(["-s", "-i", "http://127.0.0.1:\(daemon.port)/json"])
        #expect(json.hasPrefix("HTTP/1.1 200 OK"))
        #expect(json.hasSuffix(#"{"message":"Hello, World!"}"#))
        await #expect(try Daemon.curl(["-s", "http://127.0.0.1:\(daemon.port)/plaintext"]) == "Hello, World!")
        let health = try await Daemon.curl(["-s", "http://127.0.0.1:\(daemon.port)/healthz"])
        #expect(health.hasPrefix(#"{"status":"ok","checks":{"postgres":{"status":"up","address":"127.0.0.1:"#), "\(health)")
        #expect(health.contains(#""payments":{"status":"off"}"#), "\(health)")
        let metrics = try await Daemon.curl(["-s", "http://127.0.0.1:\(daemon.port)/metrics"])
        #expect(metrics.contains(#"http_requests_total{route="/json",method="GET",status="200"} 1"#))
        #expect(metrics.contains("event_loop_lag_seconds"))
        #expect(metrics.contains("buffer_pool_chunks"))
        #expect(metrics.contains("groupbuy_build_info"))
        let status = try await daemon.terminate()
        #expect(status == 0)
        // Every request was access-logged as one JSON line.
        let requests = daemon.logLines().filter { $0["msg"] as? String == "request" }
        #expect(requests.compactMap { $0["path"] as? String } == ["/json", "/plaintext", "/healthz", "/metrics"])
    }

    /// GET and POST of one route are separate series; no series appears twice in /metrics
    /// (the server's own figures, the pools', the workers' and the registry's together).
    @Test func metricsHaveAMethodLabelAndNoSeriesTwice() async throws {
        let daemon = try await Daemon.start(environment: ["GROUPBUY_LOG_ACCESS": "false"])
        defer { daemon.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(daemon.port)"
        _ = try await Daemon.curl(["-s", base + "/v1/admin/deals/1/stock"])
        _ = try await Daemon.curl(["-s", "-X", "POST", "-d", "{}", base + "/v1/admin/deals/1/stock"])
        _ = try await Daemon.curl(["-s", base + "/healthz"])
        let exposition = await MetricsExposition(try Daemon.curl(["-s", base + "/metrics"]))
        #expect(exposition.malformed.isEmpty, "\(exposition.malformed)")
        #expect(exposition.duplicateSeries.isEmpty, "\(exposition.duplicateSeries)")
        let stock = exposition.samples(named: "http_requests_total").filter { $0.labels.contains { $0.name == "route" && $0.value == "/v1/admin/deals/{id}/stock" } }
        #expect(Set(stock.compactMap { $0.labels.first { $0.name == "method" }?.value }) == ["GET", "POST"], "\(stock)")
        #expect(try await daemon.terminate() == 0)
    }

    @Test func wrkGetsOnly200sFromPlaintextAndJSON() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") else {
            Issue.record("wrk is not installed (scripts/lib/common.sh installs it)")
            return
        }
        let daemon = try await Daemon.start(environment: ["GROUPBUY_LOG_ACCESS": "false"])
        for path in ["/plaintext", "/json"] {
            let output = try await Daemon.run("/usr/bin/wrk", ["-t1", "-c16", "-d1s", "http://127.0.0.1:\(daemon.port)\(path)"]).stdout
            let requests = output.firstMatch(of: /(\d+) requests in/).flatMap { Int($0.1) } ?? 0
            #expect(requests > 100, "\(output)")
            #expect(!output.contains("Non-2xx"), "\(output)")
            #expect(!output.contains("Socket errors"), "\(output)")
        }
        #expect(try await daemon.terminate() == 0)
    }

    @Test func sigtermLetsAnInFlightRequestFinishThenExitsZero() async throws {
        let daemon = try await Daemon.start(environment: ["GROUPBUY_SERVER_SHUTDOWN_GRACE_MS": "5000"])
        // A slow upload keeps a request in flight: headers now, the body after SIGTERM. The
        // 100 Continue proves the server has read the head before the signal (else the
        // connection could still look idle to the drain, which closes idle connections).
        let upload = try DaemonClient(port: daemon.port)
        try upload.send("GET /json HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
        _ = try upload.read(until: "100 Continue\r\n\r\n")
        try upload.send("ab")
        daemon.signal(SIGTERM)
        try await daemon.waitForLog { $0["msg"] as? String == "draining connections" }
        try upload.send("cde")
        let response = try upload.readAll()
        // Answered in full, with Connection: close because the server is draining.
        #expect(response.hasPrefix("HTTP/1.1 200 OK"))
        #expect(response.hasSuffix(#"{"message":"Hello, World!"}"#))
        #expect(response.contains("Connection: close"))
        #expect(try await daemon.terminate(signal: nil) == 0)
    }
}
