import Foundation
import GroupBuyTesting
import IOCore
import Redis

#if canImport(Glibc)
import Glibc
#endif

/// The private Redis that scripts/test.sh (scripts/services.sh) starts.
let redisURL = ProcessInfo.processInfo.environment["REDIS_URL"] ?? "redis://127.0.0.1:63799"

func redisConfiguration(
    _ adjust: (inout RedisConnection.Configuration) -> Void = { _ in }
) throws -> RedisConnection.Configuration {
    var configuration = try RedisConnection.Configuration(url: redisURL)
    adjust(&configuration)
    return configuration
}

/// A key no other test (or run) uses.
func uniqueKey(_ name: String = #function) -> String {
    "redis-test:\(name.prefix { $0 != "(" }):\(UInt64.random(in: 0...UInt64.max))"
}

/// A fresh event loop for one test; runs `body` in a task on it, where Redis objects live.
final class TestLoop: Sendable {
    let group: EventLoopGroup
    var loop: EventLoop { group.loops[0] }

    init() throws {
        group = try EventLoopGroup(count: 1)
    }

    deinit {
        group.shutdown()
    }

    func run<Result: Sendable>(_ body: @escaping @Sendable (EventLoop) async throws -> Result) async throws -> Result {
        let loop = loop
        return try await Task(executorPreference: loop) { try await body(loop) }.value
    }
}

/// Runs `body` on a fresh event loop.
func onLoop<Result: Sendable>(_ body: @escaping @Sendable (EventLoop) async throws -> Result) async throws -> Result {
    try await TestLoop().run(body)
}

/// Checks `condition` every few milliseconds until it holds; false if `timeout` passes first.
func eventually(within timeout: Duration = .seconds(5), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}

/// The error `body` throws, or nil when it succeeds.
func redisError(_ body: () async throws -> Void) async -> RedisError? {
    do {
        try await body()
        return nil
    } catch let error as RedisError {
        return error
    } catch {
        return .misuse("unexpected error \(error)")
    }
}

/// A port on 127.0.0.1 where connects are refused: bound but not listening, and held for
/// the object's lifetime so that no other test's listener can take it meanwhile.
final class RefusingPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(descriptor >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && getsockname(descriptor, pointer, &length) == 0
            }
        }
        precondition(bound)
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}

/// A redis-server of the test's own, on its own port, that the test can kill and restart.
final class RedisServerProcess: @unchecked Sendable {
    let port: Int
    private var child: Child?

    /// Ports the kernel hands out (ephemeral, 32768–60999 by default) are left alone, so the
    /// port is not taken by another test's socket between a kill and a restart.
    init(port: Int = Int.random(in: 20_000..<30_000)) {
        self.port = port
    }

    deinit {
        kill()
    }

    var configuration: RedisConnection.Configuration {
        RedisConnection.Configuration(host: "127.0.0.1", port: port)
    }

    /// Starts the server and waits (with a deadline) until it answers PING.
    func start() async throws {
        // Spawned without Foundation's Process (see GroupBuyTesting.Subprocess); it logs nowhere.
        let child = try Subprocess.spawn(
            "/usr/bin/env",
            [
                "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--dir", FileManager.default.temporaryDirectory.path, "--logfile", "/dev/null",
            ]
        )
        close(child.output)
        self.child = child
        let configuration = configuration
        let answers = await eventually(within: .seconds(10)) {
            (try? await onLoop { loop -> Void in
                let connection = try await RedisConnection.connect(configuration, on: loop)
                defer { connection.close() }
                try await connection.ping()
            }) != nil
        }
        guard answers else { throw RedisError.connectFailed("the test's redis-server on port \(port) did not start") }
    }

    /// Kills the server at once (no goodbye to clients) and waits until it is gone.
    func kill() {
        guard let child else { return }
        self.child = nil
        child.signal(SIGKILL)
        _ = child.waitForExit()
    }
}

/// A listening socket that never accepts, with its accept queue already full: the kernel
/// drops further SYNs, so a connect to it neither succeeds nor fails until it gives up.
final class UnansweringListener {
    let port: Int
    private var descriptors: [Int32] = []

    init() {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(listener >= 0)
        descriptors.append(listener)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && getsockname(listener, pointer, &length) == 0
                    && listen(listener, 0) == 0
            }
        }
        precondition(listening)
        port = Int(UInt16(bigEndian: address.sin_port))
        // A backlog of 0 holds one connection; fill it (non-blocking, the later ones hang too).
        for _ in 0..<2 {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            precondition(filler >= 0)
            descriptors.append(filler)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
        }
    }

    deinit {
        for descriptor in descriptors { close(descriptor) }
    }
}
