import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The built `psp-sandbox` run as a process (`Subprocess`: close-on-exec stdout pipe,
/// nothing else inherited). Its stderr goes to the test's.
public final class SandboxProcess: Sendable {
    public let child: Child
    public let port: Int

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// The psp-sandbox next to the running test bundle (SwiftPM builds it into the same folder).
    public static var executable: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("psp-sandbox").path
    }

    private init(child: Child, port: Int) {
        self.child = child
        self.port = port
    }

    /// Starts it with `arguments` (plus --port 0) and waits for its "listening" line.
    public static func start(_ arguments: [String]) async throws -> SandboxProcess {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try startBlocking(arguments + ["--port", "0"]) })
            }
        }
    }

    private static func startBlocking(_ arguments: [String]) throws -> SandboxProcess {
        let child = try Subprocess.spawn(executable, arguments)
        // The first line says where it listens; a closed pipe first means it exited.
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while read(child.output, &byte, 1) == 1, byte != 10 { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("psp-sandbox listening on "),
            let address = text.split(separator: " ").dropFirst(3).first,
            let port = address.split(separator: ":").last.flatMap({ Int($0) })
        else {
            child.signal(SIGKILL)
            close(child.output)
            _ = child.waitForExit()
            throw Failure(description: "unexpected first line: \(text)")
        }
        return SandboxProcess(child: child, port: port)
    }

    /// Sends SIGTERM and returns the exit status.
    public func terminate() async throws -> Int32 {
        let child = self.child
        child.signal(SIGTERM)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let status = child.waitForExit()
                close(child.output)
                continuation.resume(returning: status)
            }
        }
    }
}
