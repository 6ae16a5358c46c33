import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL and Redis of a test's own (scripts/services.sh with a separate state folder
/// and ports), for tests that restart or stop them without disturbing other tests.
struct PrivateServices: Sendable {
    let state: String
    let pgPort: Int
    let redisPort: Int

    var databaseURL: String { "postgresql://groupbuy@127.0.0.1:\(pgPort)/groupbuy_test" }
    var redisURL: String { "redis://127.0.0.1:\(redisPort)" }

    /// Whether this machine can run them (root with the postgres user, as in CI).
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser")
    }

    static func start() async throws -> PrivateServices {
        let base = Int.random(in: 20_000...29_000)
        let services = PrivateServices(state: "/tmp/gb-private-\(UUID().uuidString.prefix(8))", pgPort: base, redisPort: base + 1)
        try FileManager.default.createDirectory(atPath: services.state, withIntermediateDirectories: true)
        try await services.script("start")
        return services
    }

    func stop() async throws {
        try await script("stop")
        try? FileManager.default.removeItem(atPath: state)
    }

    /// `pg_ctl restart -m fast`: every connection is cut, the server is back when this returns.
    func restartPostgres() async throws {
        try await shell("runuser -u postgres -- \"$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl\" -D '\(state)/pg/data' -w -m fast restart >/dev/null")
    }

    func stopRedis() async throws {
        try await shell("redis-cli -h 127.0.0.1 -p \(redisPort) shutdown nosave >/dev/null 2>&1; while redis-cli -h 127.0.0.1 -p \(redisPort) ping >/dev/null 2>&1; do sleep 0.05; done")
    }

    func startRedis() async throws {
        try await script("start")
    }

    private func script(_ command: String) async throws {
        let script = repositoryRoot.appendingPathComponent("scripts/services.sh").path
        try await shell(
            "GROUPBUY_STATE_DIR='\(state)' GROUPBUY_PG_PORT=\(pgPort) GROUPBUY_REDIS_PORT=\(redisPort) GROUPBUY_SKIP_DEPS=1 '\(script)' \(command) >/dev/null"
        )
    }

    /// Runs `command` with bash and waits for it on a thread of its own. posix_spawn and
    /// waitpid, not Foundation's Process: the daemons the scripts start inherit nothing that
    /// Process's exit detection depends on, and a plain waitpid cannot miss the exit.
    private func shell(_ command: String) async throws {
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var pid: pid_t = 0
                let arguments: [UnsafeMutablePointer<CChar>?] = ["/bin/bash", "-c", command].map { (text: String) in strdup(text) } + [nil]
                defer { for argument in arguments { free(argument) } }
                // The child starts with no signal blocked and default handlers: it inherits the
                // calling thread's mask otherwise, and daemons it starts would ignore SIGTERM.
                var attributes = posix_spawnattr_t()
                posix_spawnattr_init(&attributes)
                defer { posix_spawnattr_destroy(&attributes) }
                var none = sigset_t()
                sigemptyset(&none)
                var all = sigset_t()
                sigfillset(&all)
                posix_spawnattr_setsigmask(&attributes, &none)
                posix_spawnattr_setsigdefault(&attributes, &all)
                posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
                let spawned = posix_spawn(&pid, "/bin/bash", nil, &attributes, arguments, environ)
                guard spawned == 0 else {
                    continuation.resume(throwing: CurlError("posix_spawn failed: \(spawned)"))
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                // WIFEXITED / WEXITSTATUS by hand (macros are not visible to Swift).
                continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
        guard status == 0 else { throw CurlError("`\(command)` exited \(status)") }
    }
}
