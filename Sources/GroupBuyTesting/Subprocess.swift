import CLinux
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Child processes for tests, started with posix_spawn rather than Foundation's Process.
/// With Process, a daemon another test starts at the same moment can inherit a pipe (reading
/// to its end then waits for that daemon), and its dispatch-driven readers crashed the test
/// process when descriptors were recycled under them. Here every pipe is close-on-exec from
/// birth, the child gets nothing else of ours (closefrom 3), and it starts with no signal
/// blocked (else daemons it starts would ignore SIGTERM).
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var output: String
        public var errorOutput: String
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    /// Runs a program to completion on a thread of its own (never on the cooperative pool).
    /// `status` is the exit code, or 128 + the signal that ended it.
    public static func run(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result { try runBlocking(path, arguments, environment: environment, directory: directory) })
            }
        }
    }

    /// As `run`, blocking the calling thread.
    public static func runBlocking(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil
    ) throws -> Result {
        let child = try spawn(path, arguments, environment: environment, directory: directory, captureErrors: true)
        // Both read to the end before waiting, so a full pipe cannot stall the child.
        let errors = Thread.detachedReadToEnd(child.errorOutput!)
        let output = readToEnd(child.output)
        let errorOutput = errors.value()
        return Result(status: child.waitForExit(), output: String(decoding: output, as: UTF8.self), errorOutput: String(decoding: errorOutput, as: UTF8.self))
    }

    /// Starts a program and returns at once with its pid and the read end of its stdout (and
    /// stderr when `captureErrors`; otherwise stderr is the test's own).
    public static func spawn(
        _ path: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil, captureErrors: Bool = false
    ) throws -> Child {
        let output = try cloexecPipe()
        let errors = captureErrors ? try cloexecPipe() : nil
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, output.write, STDOUT_FILENO)
        if let errors { posix_spawn_file_actions_adddup2(&actions, errors.write, STDERR_FILENO) }
        if let directory { gb_spawn_file_actions_chdir(&actions, directory) }
        gb_spawn_file_actions_closefrom(&actions, 3)
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

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for entry in envp ?? [] { free(entry) } }
        var pid: pid_t = 0
        let spawned = envp.map { envp in posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
            ?? posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        close(output.write)
        if let errors { close(errors.write) }
        guard spawned == 0 else {
            close(output.read)
            if let errors { close(errors.read) }
            throw Failure("cannot start \(path): error \(spawned)")
        }
        return Child(pid: pid, output: output.read, errorOutput: errors?.read)
    }

    /// Everything from `descriptor` until end of file; closes it.
    public static func readToEnd(_ descriptor: Int32) -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                data += buffer[0..<count]
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(descriptor)
        return data
    }

    private static func cloexecPipe() throws -> (read: Int32, write: Int32) {
        var fds: [Int32] = [0, 0]
        guard gb_pipe_cloexec(&fds) == 0 else { throw Failure("pipe failed: errno \(errno)") }
        return (fds[0], fds[1])
    }
}

/// A spawned child process.
public struct Child: Sendable {
    public let pid: Int32
    /// Read end of its stdout (the caller reads and closes it).
    public let output: Int32
    /// Read end of its stderr, when captured.
    public let errorOutput: Int32?

    public func signal(_ number: Int32) {
        kill(pid, number)
    }

    /// Blocks until it exits; the exit code, or 128 + the signal that ended it.
    public func waitForExit() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return Self.decode(status)
    }

    /// The exit status if it has exited (reaping it), nil while it runs.
    public func exitStatusIfExited() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        return result == pid ? Self.decode(status) : nil
    }

    // WIFEXITED / WEXITSTATUS / WTERMSIG by hand (the macros are not visible to Swift).
    private static func decode(_ status: Int32) -> Int32 {
        (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

extension Thread {
    /// Reads `descriptor` to its end on a new thread; `value()` waits for the bytes.
    static func detachedReadToEnd(_ descriptor: Int32) -> PendingBytes {
        let pending = PendingBytes()
        Thread.detachNewThread { pending.fulfil(Subprocess.readToEnd(descriptor)) }
        return pending
    }
}

final class PendingBytes: @unchecked Sendable {
    private let condition = NSCondition()
    private var bytes: [UInt8]?

    func fulfil(_ value: [UInt8]) {
        condition.lock()
        bytes = value
        condition.signal()
        condition.unlock()
    }

    func value() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        while bytes == nil { condition.wait() }
        return bytes!
    }
}
