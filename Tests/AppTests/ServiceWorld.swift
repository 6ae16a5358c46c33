import Auth
import Foundation
import GroupBuyTesting
import PSPSandbox
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// groupbuyd processes with their background workers on, a database of their own (the
/// sweeps must not touch other suites' rows), and a psp-sandbox sending its webhooks to them.
final class ServiceWorld: Sendable {
    static let apiKey = "sk_test_world"
    static let webhookSecret = "whsec_world"

    let database: ScratchDatabase
    var databaseURL: String { database.url }
    let sandbox: PSPSandbox
    let sandboxURL: String
    let environment: [String: String]
    let signer = JWTSigner(keyRing: try! JWTKeyRing(parsing: [Daemon.testJWTKeys]), issuer: "groupbuy", audience: "groupbuy-api")

    /// - Parameter port: where the sandbox delivers webhooks (the first instance's fixed port).
    init(webhookPort: Int) async throws {
        let adminURL = ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"] ?? "postgresql://groupbuy@127.0.0.1:54329/groupbuy_test"
        database = try await ScratchDatabase.create(prefix: "groupbuy_world", adminURL: adminURL)
        var settings = SandboxSettings()
        settings.port = 0
        settings.apiKey = Self.apiKey
        settings.webhookSecret = Self.webhookSecret
        settings.webhookURL = "http://127.0.0.1:\(webhookPort)/v1/webhooks/psp"
        settings.seed = UInt64.random(in: 1...UInt64.max)
        var knobs = Knobs()
        knobs.webhookRetryBaseMs = 100
        knobs.webhookMaxAttempts = 20
        settings.knobs = knobs
        sandbox = try PSPSandbox(settings: settings)
        let sandboxPort = try await sandbox.start()
        sandboxURL = "http://127.0.0.1:\(sandboxPort)"
        environment = [
            "GROUPBUY_DATABASE_URL": database.url,
            "GROUPBUY_WORKERS_ENABLED": "true",
            "GROUPBUY_WORKERS_EXPIRE_ORDERS_PERIOD_MS": "200",
            "GROUPBUY_WORKERS_FAIL_GROUPS_PERIOD_MS": "200",
            "GROUPBUY_WORKERS_CONFIRM_GROUPS_PERIOD_MS": "200",
            "GROUPBUY_WORKERS_BATCH_SIZE": "5",
            "GROUPBUY_ORDERS_PAYMENT_WINDOW_SECONDS": "3",
            "GROUPBUY_PAYMENTS_PROVIDER_ADDRESS": "127.0.0.1:\(sandboxPort)",
            "GROUPBUY_PAYMENTS_API_KEY": Self.apiKey,
            "GROUPBUY_PAYMENTS_WEBHOOK_SECRETS": Self.webhookSecret,
            "GROUPBUY_PAYMENTS_OUTBOX_PERIOD_MS": "100",
            "GROUPBUY_PAYMENTS_OUTBOX_BACKOFF_BASE_MS": "100",
            "GROUPBUY_PAYMENTS_OUTBOX_BACKOFF_MAX_MS": "1000",
            "GROUPBUY_PAYMENTS_OUTBOX_LEASE_SECONDS": "2",
        ]
    }

    /// A groupbuyd of this world on `port` (with `extra` settings on top of the world's).
    func start(port: Int, extra: [String: String] = [:]) async throws -> Daemon {
        var environment = self.environment.merging(extra) { _, new in new }
        environment["GROUPBUY_SERVER_PORT"] = String(port)
        return try await Daemon.start(environment: environment)
    }

    func stop() async throws {
        try await sandbox.shutdown()
        try? await database.drop()
    }

    func token(_ role: Role, user: String) throws -> String {
        try signer.issue(subject: user, role: role, ttl: .seconds(3_600), now: Date())
    }

    /// Rows of `sql` in this world's database, one string per row (columns joined by "|").
    func sql(_ sql: String) async throws -> [String] {
        let url = databaseURL
        return try await offThePool { try Self.psql(url, sql) }
    }

    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> [String] {
        let result = try Daemon.runBlocking("/usr/bin/psql", [url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql])
        guard result.status == 0 else { throw DaemonError("psql \(sql): \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// A port nobody listens on now (bound once by the kernel's choice, then released).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw DaemonError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Waits (bounded) until `condition` holds.
    func eventually(_ what: String, within seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        try await waitUntil(what, within: seconds, condition)
    }
}

/// Runs blocking work (a child process) on a thread of its own: the cooperative pool has as
/// many threads as cores, and a test must not hold one while curl or psql runs.
func offThePool<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Swift.Result { try body() }) }.start()
    }
}

struct CallResult: @unchecked Sendable {
    let status: Int
    let json: [String: Any]
}

/// One buyer's HTTP call with curl; nil when the server could not be reached (it may be down).
func call(_ method: String, _ url: String, token: String? = nil, body: String? = nil) async -> CallResult? {
    (try? await offThePool { callBlocking(method, url, token: token, body: body) }) ?? nil
}

private func callBlocking(_ method: String, _ url: String, token: String?, body: String?) -> CallResult? {
    var arguments = ["-s", "--max-time", "60", "-X", method, "-w", "\n%{http_code}", url]
    if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
    if let body { arguments += ["-H", "Content-Type: application/json", "--data-binary", body] }
    guard let result = try? Daemon.runBlocking("/usr/bin/curl", arguments), result.status == 0 else { return nil }
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    guard let status = lines.last.flatMap({ Int($0) }), status > 0 else { return nil }
    let json = (try? JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8))) as? [String: Any] ?? [:]
    return CallResult(status: status, json: json)
}
