import Foundation
import GroupBuyTesting
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A groupbuyd process started by a test, on an ephemeral port (or the one asked for), with
/// its log captured. Spawned through GroupBuyTesting's Subprocess (close-on-exec pipes).
final class Daemon: Sendable {
    let child: Child
    let port: Int
    private let log: LogCollector

    /// The groupbuyd built next to this test bundle.
    static var executable: URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return testBinary.deletingLastPathComponent().appendingPathComponent("groupbuyd")
    }

    private init(child: Child, port: Int, log: LogCollector) {
        self.child = child
        self.port = port
        self.log = log
    }

    /// What every test daemon needs: the test database (migrated at start), Redis, a JWT key.
    static var serviceEnvironment: [String: String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let environment = ProcessInfo.processInfo.environment
        return [
            "GROUPBUY_DATABASE_URL": environment["GROUPBUY_TEST_DATABASE_URL"] ?? "postgresql://groupbuy@127.0.0.1:54329/groupbuy_test",
            "GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY": root.appendingPathComponent("migrations").path,
            "GROUPBUY_DATABASE_MIGRATE_ON_START": "true",
            "GROUPBUY_REDIS_URL": environment["REDIS_URL"] ?? "redis://127.0.0.1:63799",
            "GROUPBUY_AUTH_JWT_KEYS": testJWTKeys,
            // The test database is shared with other suites: background sweeps would change
            // their rows under them. Tests that need the workers turn them on in a database of their own.
            "GROUPBUY_WORKERS_ENABLED": "false",
        ]
    }

    static let testJWTKeys = "daemon-test:daemon-tests-secret-of-at-least-32-bytes"

    /// Starts groupbuyd with one loop on 127.0.0.1 and a free port; returns once it listens.
    static func start(environment: [String: String] = [:]) async throws -> Daemon {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GROUPBUY_") }
        env["GROUPBUY_SERVER_HOST"] = "127.0.0.1"
        env["GROUPBUY_SERVER_PORT"] = "0"
        env["GROUPBUY_LOOPS_COUNT"] = "1"
        env.merge(serviceEnvironment) { _, new in new }
        env.merge(environment) { _, new in new }
        let child = try Subprocess.spawn(executable.path, [], environment: env, directory: FileManager.default.temporaryDirectory.path)
        let log = LogCollector()
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(child.output, $0.baseAddress, $0.count) }
                if count > 0 {
                    log.append(Data(buffer[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(child.output)
            log.finish()
        }
        let listening: [String: Any]
        do {
            listening = try await log.wait(for: { $0["msg"] as? String == "listening" }, timeout: .seconds(60))
        } catch {
            child.signal(SIGKILL)
            _ = try? await offThePool { child.waitForExit() }
            throw error
        }
        guard let address = listening["address"] as? String, let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
            child.signal(SIGKILL)
            throw DaemonError("no port in \(listening)")
        }
        return Daemon(child: child, port: port, log: log)
    }

    func signal(_ number: Int32) {
        child.signal(number)
    }

    /// Sends `signal` (SIGTERM by default; nil: none) and waits for the exit; returns the exit
    /// code, or 128 + the signal that ended it.
    func terminate(signal: Int32? = SIGTERM) async throws -> Int32 {
        if let signal { self.signal(signal) }
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while true {
            if let status = child.exitStatusIfExited() {
                _ = try? await log.wait(for: { _ in false }, timeout: .seconds(5), untilEnd: true)
                return status
            }
            guard ContinuousClock.now < deadline else {
                child.signal(SIGKILL)
                throw DaemonError("groupbuyd did not exit within 30 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func waitForLog(_ predicate: @escaping @Sendable ([String: Any]) -> Bool) async throws {
        _ = try await log.wait(for: predicate, timeout: .seconds(60))
    }

    func logLines() -> [[String: Any]] {
        log.lines()
    }

    // MARK: - Running commands

    struct Completed {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs groupbuyd with `arguments` to completion (for --print-config and refusals).
    static func runToCompletion(arguments: [String], environment: [String: String]) async throws -> Completed {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GROUPBUY_") }
        env.merge(serviceEnvironment) { _, new in new }
        env.merge(environment) { _, new in new }
        return try await run(executable.path, arguments, environment: env, directory: FileManager.default.temporaryDirectory)
    }

    static func curl(_ arguments: [String]) async throws -> String {
        let result = try await run("/usr/bin/curl", ["--max-time", "60"] + arguments)
        guard result.status == 0 else { throw DaemonError("curl \(arguments) failed: \(result.stderr)") }
        return result.stdout.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// Runs a program to completion on a thread of its own: the test's task waits without
    /// holding one of the (two, on this machine) cooperative threads. Tests that blocked them
    /// while gbctl or psql ran stalled every other test of the process for a minute and more.
    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil) async throws -> Completed {
        let result = try await Subprocess.run(path, arguments, environment: environment, directory: directory?.path)
        return Completed(status: result.status, stdout: result.output, stderr: result.errorOutput)
    }

    /// Runs a program to completion, blocking this thread: only from a thread of our own.
    static func runBlocking(_ path: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Completed {
        let result = try Subprocess.runBlocking(path, arguments, environment: environment, directory: nil)
        return Completed(status: result.status, stdout: result.output, stderr: result.errorOutput)
    }
}

/// Collects groupbuyd's JSON log lines and lets tests wait for one.
final class LogCollector: Sendable {
    private struct State {
        var pending = Data()
        var lines: [String] = []
        var ended = false
    }

    private let state = Mutex(State())

    func append(_ data: Data) {
        state.withLock { state in
            state.pending.append(data)
            while let newline = state.pending.firstIndex(of: 0x0A) {
                state.lines.append(String(decoding: state.pending[state.pending.startIndex..<newline], as: UTF8.self))
                state.pending.removeSubrange(state.pending.startIndex...newline)
            }
        }
    }

    func finish() {
        state.withLock { $0.ended = true }
    }

    func lines() -> [[String: Any]] {
        state.withLock { $0.lines }.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
    }

    /// Polls the collected lines (the log arrives through a pipe) until one matches, the output
    /// ends (`untilEnd`), or the timeout passes.
    func wait(for predicate: ([String: Any]) -> Bool, timeout: Duration, untilEnd: Bool = false) async throws -> [String: Any] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if let match = lines().first(where: predicate) { return match }
            if untilEnd && state.withLock({ $0.ended }) { throw DaemonError("output ended") }
            if !untilEnd && state.withLock({ $0.ended }) { throw DaemonError("groupbuyd exited; log so far: \(state.withLock { $0.lines })") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw DaemonError("no matching log line within \(timeout); log so far: \(state.withLock { $0.lines })")
    }
}

/// A minimal blocking client for the shutdown test.
final class DaemonClient {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw DaemonError("connect failed: errno \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else {
            throw DaemonError("send failed: errno \(errno)")
        }
    }

    /// Reads until `marker` has arrived; returns what was read.
    func read(until marker: String) throws -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: data, as: UTF8.self).contains(marker) {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw DaemonError("recv ended before \(marker.debugDescription): errno \(errno)") }
            data += chunk[..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Everything until the server closes.
    func readAll() throws -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw DaemonError("recv failed: errno \(errno)") }
            data += chunk[..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
