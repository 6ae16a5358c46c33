import CLinux
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built `psp-sandbox` run as a process: posix_spawn with a close-on-exec pipe for its
/// stdout and every other descriptor closed in the child (as APITests' Subprocess does, so
/// no daemon another test starts inherits our pipe). Its stderr goes to the test's.
final class SandboxProcess: @unchecked Sendable {
    let pid: pid_t
    let port: Int
    private let output: Int32

    static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("psp-sandbox").path
    }

    private init(pid: pid_t, port: Int, output: Int32) {
        self.pid = pid
        self.port = port
        self.output = output
    }

    /// Starts it with `arguments` (plus --port 0) and waits for its "listening" line.
    static func start(_ arguments: [String]) async throws -> SandboxProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try startBlocking(arguments + ["--port", "0"]) })
            }
        }
    }

    private static func startBlocking(_ arguments: [String]) throws -> SandboxProcess {
        var pipe: [Int32] = [0, 0]
        guard gb_pipe_cloexec(&pipe) == 0 else { throw HarnessError("pipe: errno \(errno)") }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], STDOUT_FILENO)
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
        let path = executable
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        close(pipe[1])
        guard spawned == 0 else {
            close(pipe[0])
            throw HarnessError("cannot start \(path): \(spawned)")
        }
        // The first line says where it listens; a closed pipe first means it exited.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(pipe[0], &byte, 1) == 1, byte != 10 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("psp-sandbox listening on "),
            let address = text.split(separator: " ").dropFirst(3).first,
            let port = address.split(separator: ":").last.flatMap({ Int($0) })
        else {
            kill(pid, SIGKILL)
            close(pipe[0])
            throw HarnessError("unexpected first line: \(text)")
        }
        return SandboxProcess(pid: pid, port: port, output: pipe[0])
    }

    /// Sends SIGTERM and returns the exit status.
    func terminate() async throws -> Int32 {
        let pid = self.pid
        let output = self.output
        kill(pid, SIGTERM)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                close(output)
                continuation.resume(returning: (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }
}
