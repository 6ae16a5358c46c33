import Foundation
import Testing

/// CORS as an operator turns it on: off by default, on with `cors.*`, refused at start when
/// the settings could not work in a browser.
@Suite struct CORSDaemonTests {
    static func preflight(_ port: Int, _ path: String, origin: String) async throws -> String {
        try await Daemon.curl([
            "-s", "-i", "-X", "OPTIONS", "-H", "Origin: \(origin)", "-H", "Access-Control-Request-Method: POST",
            "http://127.0.0.1:\(port)\(path)",
        ])
    }

    @Test func aPreflightIs405WhileCORSIsOff() async throws {
        let daemon = try await Daemon.start()
        let answer = try await Self.preflight(daemon.port, "/v1/groups", origin: "https://shop.example")
        #expect(answer.hasPrefix("HTTP/1.1 405"))
        #expect(!answer.lowercased().contains("access-control-"))
        #expect(try await daemon.terminate() == 0)
    }

    @Test func configuredOriginsGetPreflightsAndHeaders() async throws {
        let daemon = try await Daemon.start(environment: [
            "GROUPBUY_CORS_ALLOWED_ORIGINS": "https://shop.example, http://localhost:5173",
            "GROUPBUY_CORS_ALLOW_CREDENTIALS": "true", "GROUPBUY_CORS_MAX_AGE_SECONDS": "120",
        ])
        let preflight = try await Self.preflight(daemon.port, "/v1/groups", origin: "http://localhost:5173")
        #expect(preflight.hasPrefix("HTTP/1.1 204"))
        for line in [
            "access-control-allow-origin: http://localhost:5173", "access-control-allow-credentials: true", "access-control-max-age: 120",
            "access-control-allow-headers: authorization, content-type, idempotency-key, if-match, if-none-match, x-request-id", "vary: origin",
        ] {
            #expect(preflight.lowercased().contains(line + "\n"), "\(line) in \(preflight)")
        }
        await #expect(try Self.preflight(daemon.port, "/v1/groups", origin: "https://evil.example").hasPrefix("HTTP/1.1 403"))
        let deals = try await Daemon.curl(["-s", "-i", "-H", "Origin: https://shop.example", "http://127.0.0.1:\(daemon.port)/v1/deals?limit=1"])
        #expect(deals.hasPrefix("HTTP/1.1 200"))
        #expect(deals.lowercased().contains("access-control-allow-origin: https://shop.example\n"))
        #expect(deals.lowercased().contains("access-control-expose-headers: etag, location, retry-after, x-request-id\n"))
        let plaintext = try await Daemon.curl(["-s", "-i", "-H", "Origin: https://shop.example", "http://127.0.0.1:\(daemon.port)/plaintext"])
        #expect(!plaintext.lowercased().contains("access-control-") && !plaintext.lowercased().contains("vary:"))
        #expect(try await daemon.terminate() == 0)
    }

    @Test(arguments: [
        (["GROUPBUY_CORS_ALLOWED_ORIGINS": "*", "GROUPBUY_CORS_ALLOW_CREDENTIALS": "true"], "cors.allow_credentials needs allowed_origins to list origins"),
        (["GROUPBUY_CORS_ALLOWED_ORIGINS": "https://shop.example/"], #"cors.allowed_origins: "https://shop.example/" is not an origin"#),
        (["GROUPBUY_CORS_MAX_AGE_SECONDS": "100000"], "cors.max_age_seconds (from GROUPBUY_CORS_MAX_AGE_SECONDS)"),
    ])
    func settingsThatCannotWorkInABrowserStopTheStart(_ environment: [String: String], message: String) async throws {
        let result = try await Daemon.runToCompletion(arguments: [], environment: environment)
        #expect(result.status == 78)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }
}
