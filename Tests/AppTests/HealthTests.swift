import Foundation
import GroupBuyTesting
import Testing

/// /healthz and `gbctl status` tell the truth about PostgreSQL, Redis and the card provider:
/// real processes, and a PostgreSQL and a Redis of the test's own that it stops.
@Suite(.serialized) struct HealthTests {
    let cli = GbctlTests()

    /// `(HTTP status, body)` of GET /healthz.
    static func healthz(_ port: Int) async throws -> (status: Int, body: [String: Any]) {
        let answer = try #require(await call("GET", "http://127.0.0.1:\(port)/healthz"))
        return (answer.status, answer.json)
    }

    static func check(_ body: [String: Any], _ name: String) -> [String: Any] {
        (body["checks"] as? [String: Any])?[name] as? [String: Any] ?? [:]
    }

    @Test func withEverythingUpHealthzSaysOkForEachDependencyAndStatusExitsZero() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        let daemon = try await world.start(port: port)
        defer { daemon.signal(SIGKILL) }
        let (status, body) = try await Self.healthz(port)
        #expect(status == 200)
        #expect(body["status"] as? String == "ok", "\(body)")
        for name in ["postgres", "redis", "payments"] {
            #expect(Self.check(body, name)["status"] as? String == "up", "\(name): \(body)")
            #expect(Self.check(body, name)["error"] == nil, "\(name): \(body)")
        }
        #expect((Self.check(body, "payments")["address"] as? String)?.hasPrefix("127.0.0.1:") == true, "\(body)")

        let table = try await cli.gbctl(["status"], port: port)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("health               ok"), "\(table.stdout)")
        #expect(table.stdout.contains("  postgres           up"), "\(table.stdout)")
        let json = try await cli.gbctl(["status", "--json"], port: port)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        // Typed fields: numbers are numbers, the checks are objects, not table cells.
        #expect(report["status"] as? String == "ok")
        #expect(report["requests"] is Int, "\(report)")
        #expect(report["openConnections"] is Int, "\(report)")
        #expect(report["dbConnectionsOpen"] is Int, "\(report)")
        #expect((report["checks"] as? [String: Any])?.keys.sorted() == ["payments", "postgres", "redis"], "\(report)")
        #expect((report["outboxJobs"] as? [String: Any])?["dead"] as? Int == 0, "\(report)")
        #expect(report["version"] as? String == "0.1.0")
        _ = try await daemon.terminate()
        try await world.stop()
    }

    /// A load test that left psp-sandbox in storm mode is visible in `gbctl status`.
    @Test func statusShowsTheSandboxKnobsThatAreOffTheirDefaults() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        let daemon = try await world.start(port: port)
        defer { daemon.signal(SIGKILL) }
        let calm = try await cli.gbctl(["status"], port: port)
        // The world's sandbox retries webhooks faster than the default; nothing else is changed.
        #expect(calm.stdout.contains("provider knobs       webhook_retry_base_ms="), "\(calm.stdout)")
        #expect(!calm.stdout.contains("duplicate="), "\(calm.stdout)")
        let changed = await call("POST", world.sandboxURL + "/_sandbox/config", body: #"{"duplicate": 3, "webhook_delay_ms": 200}"#)
        #expect(changed?.status == 200)
        let storm = try await cli.gbctl(["status"], port: port)
        #expect(storm.status == 0, "\(storm.stderr)")
        #expect(storm.stdout.contains("duplicate=3") && storm.stdout.contains("webhook_delay_ms=200"), "\(storm.stdout)")
        let json = try await cli.gbctl(["status", "--json"], port: port)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        #expect((report["providerKnobs"] as? [String: Any])?["duplicate"] as? Int == 3, "\(report)")
        _ = try await daemon.terminate()
        try await world.stop()
    }

    /// A groupbuyd on a PostgreSQL and Redis of the test's own, which `body` may stop.
    static func withPrivateServices(_ body: (PrivateServices, Daemon) async throws -> Void) async throws {
        let services = try await PrivateServices.start()
        do {
            let daemon = try await Daemon.start(
                environment: ["GROUPBUY_DATABASE_URL": services.databaseURL, "GROUPBUY_REDIS_URL": services.redisURL]
            )
            do {
                try await body(services, daemon)
            } catch {
                daemon.signal(SIGKILL)
                throw error
            }
        } catch {
            try? await services.stop()
            throw error
        }
        try await services.stop()
    }

    @Test(.enabled(if: PrivateServices.available, "needs root to run a private PostgreSQL"))
    func withPostgreSQLStoppedHealthzStaysAliveButSaysDegradedAndStatusExitsSix() async throws {
        try await Self.withPrivateServices { services, daemon in
            #expect(try await Self.healthz(daemon.port).body["status"] as? String == "ok")
            try await services.stopPostgres()
            try await waitUntil("/healthz to report PostgreSQL down", within: 60) {
                try await Self.check(Self.healthz(daemon.port).body, "postgres")["status"] as? String == "down"
            }
            let (status, body) = try await Self.healthz(daemon.port)
            #expect(status == 200, "a liveness probe must not fail for a dependency")
            #expect(body["status"] as? String == "degraded", "\(body)")
            let postgres = Self.check(body, "postgres")
            // Where it was tried, so an operator can tell which PostgreSQL it meant.
            #expect((postgres["error"] as? String)?.contains("\(services.pgPort)") == true, "\(postgres)")
            #expect(postgres["address"] as? String == "127.0.0.1:\(services.pgPort)", "\(postgres)")
            #expect(Self.check(body, "redis")["status"] as? String == "up", "\(body)")
            #expect(Self.check(body, "payments")["status"] as? String == "off", "\(body)")

            let table = try await cli.gbctl(["status"], port: daemon.port)
            #expect(table.status == 6, "\(table.stdout)\(table.stderr)")
            #expect(table.stdout.contains("health               degraded"), "\(table.stdout)")
            #expect(table.stdout.contains("  postgres           down  127.0.0.1:\(services.pgPort)"), "\(table.stdout)")
            #expect(table.stderr.contains("postgres down"), "\(table.stderr)")
            // Calls that need the database answer 503, which gbctl reports as unavailable (4).
            let deals = try await cli.gbctl(["deals", "list"], port: daemon.port)
            #expect(deals.status == 4, "\(deals.stderr)")
            #expect(deals.stderr.contains("503"), "\(deals.stderr)")

            try await services.startPostgres()
            try await waitUntil("/healthz to report PostgreSQL up again", within: 60) {
                try await Self.healthz(daemon.port).body["status"] as? String == "ok"
            }
            await #expect(try cli.gbctl(["status"], port: daemon.port).status == 0)
            #expect(try await daemon.terminate() == 0)
        }
    }

    @Test(.enabled(if: PrivateServices.available, "needs root to run a private Redis"))
    func withRedisStoppedHealthzSaysDegradedWhileDealsAreStillServed() async throws {
        try await Self.withPrivateServices { services, daemon in
            try await services.stopRedis()
            try await waitUntil("/healthz to report Redis down", within: 60) {
                try await Self.check(Self.healthz(daemon.port).body, "redis")["status"] as? String == "down"
            }
            let body = try await Self.healthz(daemon.port).body
            #expect(body["status"] as? String == "degraded", "\(body)")
            let redis = Self.check(body, "redis")
            #expect(redis["address"] as? String == "127.0.0.1:\(services.redisPort)", "\(redis)")
            #expect(Self.check(body, "postgres")["status"] as? String == "up", "\(body)")
            // Redis is an optimisation: the catalog is still served.
            #expect(await call("GET", "http://127.0.0.1:\(daemon.port)/v1/deals")?.status == 200)
            let status = try await cli.gbctl(["status"], port: daemon.port)
            #expect(status.status == 6, "\(status.stdout)\(status.stderr)")
            #expect(status.stdout.contains("  redis              down  127.0.0.1:\(services.redisPort)"), "\(status.stdout)")
            #expect(try await daemon.terminate() == 0)
        }
    }

    /// Many probes at once cost one check: the dependencies are not stormed.
    @Test func probesWithinTheMaxAgeShareOneCheck() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        let daemon = try await world.start(port: port, extra: ["GROUPBUY_HEALTH_MAX_AGE_MS": "60000"])
        defer { daemon.signal(SIGKILL) }
        _ = try await Self.healthz(port)  // the first check (or the one made at start)
        let before = try #require(await call("GET", world.sandboxURL + "/_sandbox/stats")?.json["api_calls"] as? Int)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 { group.addTask { _ = try? await Self.healthz(port) } }
        }
        let after = try #require(await call("GET", world.sandboxURL + "/_sandbox/stats")?.json["api_calls"] as? Int)
        #expect(before >= 1, "the provider is part of the check")
        #expect(after == before, "20 probes within max_age_ms called the provider again")
        _ = try await daemon.terminate()
        try await world.stop()
    }
}
