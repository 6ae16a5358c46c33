import Foundation

/// A PostgreSQL and Redis of a test's own (scripts/services.sh with a separate state folder
/// and ports), for tests that restart or stop them without disturbing other tests.
public struct PrivateServices: Sendable {
    public let state: String
    public let pgPort: Int
    public let redisPort: Int

    public var databaseURL: String { "postgresql://groupbuy@127.0.0.1:\(pgPort)/groupbuy_test" }
    public var redisURL: String { "redis://127.0.0.1:\(redisPort)" }

    /// Whether this machine can run them (root with the postgres user, as in CI).
    public static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
    }

    /// The repository root (this file is Sources/GroupBuyTesting/PrivateServices.swift).
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static func start() async throws -> PrivateServices {
        // Below the kernel's ephemeral range (32768+), and not 20000-29999, where the Redis
        // tests pick ports for their own servers.
        let base = Int.random(in: 10_000...17_000)
        let services = PrivateServices(state: "/tmp/gb-private-\(UUID().uuidString.prefix(8))", pgPort: base, redisPort: base + 1)
        try FileManager.default.createDirectory(atPath: services.state, withIntermediateDirectories: true)
        try await services.script("start")
        return services
    }

    public func stop() async throws {
        try await script("stop")
        try? FileManager.default.removeItem(atPath: state)
    }

    /// How `pg_ctl` stops the server: `fast` ends every session with 57P01 and checkpoints;
    /// `immediate` kills every process (as a crash would) and the restart runs crash recovery.
    public enum ShutdownMode: String, Sendable {
        case fast, immediate
    }

    /// `pg_ctl restart -m MODE`: every connection is cut, the server is back when this returns.
    public func restartPostgres(mode: ShutdownMode = .fast) async throws {
        try await pgCtl("-w -m \(mode.rawValue) restart")
    }

    /// Ends every session of the test database but the one asking (`pg_terminate_backend`).
    public func terminateEveryBackend() async throws {
        try await shell(
            "psql -X -q -At '\(databaseURL)' -c \"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()\" >/dev/null"
        )
    }

    /// `kill -9` of redis-server: its clients see the socket reset, nothing is saved.
    public func killRedis() async throws {
        try await shell("pid=$(cat '\(state)/redis/redis.pid'); kill -9 \"$pid\"; while kill -0 \"$pid\" 2>/dev/null; do sleep 0.02; done")
    }

    /// `pg_ctl stop -m fast`: the port refuses connections when this returns.
    public func stopPostgres() async throws {
        try await pgCtl("-w -m fast stop")
    }

    /// Starts both again (scripts/services.sh start: PostgreSQL answers when this returns).
    public func startPostgres() async throws {
        try await script("start")
    }

    public func stopRedis() async throws {
        try await shell("redis-cli -h 127.0.0.1 -p \(redisPort) shutdown nosave >/dev/null 2>&1; while redis-cli -h 127.0.0.1 -p \(redisPort) ping >/dev/null 2>&1; do sleep 0.05; done")
    }

    public func startRedis() async throws {
        try await script("start")
    }

    private func pgCtl(_ arguments: String) async throws {
        try await shell("runuser -u postgres -- \"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl\" -D '\(state)/pg/data' \(arguments) >/dev/null")
    }

    private func script(_ command: String) async throws {
        let script = Self.repositoryRoot.appendingPathComponent("scripts/services.sh").path
        try await shell(
            "GROUPBUY_STATE_DIR='\(state)' GROUPBUY_PG_PORT=\(pgPort) GROUPBUY_REDIS_PORT=\(redisPort) GROUPBUY_SKIP_DEPS=1 '\(script)' \(command) >/dev/null"
        )
    }

    private func shell(_ command: String) async throws {
        let result = try await Subprocess.run("/bin/bash", ["-c", command])
        guard result.status == 0 else { throw Subprocess.Failure("`\(command)` exited \(result.status)") }
    }
}
