import Foundation
import GroupBuyTesting

#if canImport(Glibc)
import Glibc
#endif

/// The gbload built next to this test bundle, run as a process in an empty folder with an
/// environment free of the developer's GBLOAD_*/PSP_* (no .local/gbctl.conf leaks in either).
enum GBLoadProcess {
    static var path: String {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("gbload").path
    }

    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GBLOAD_") && !$0.key.hasPrefix("PSP_") }
        environment.merge(extra) { $1 }
        return environment
    }

    /// A new empty folder, removed after `body`.
    static func inEmptyFolder<Result>(_ body: (String) async throws -> Result) async throws -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gbload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await body(folder.path)
    }

    /// Runs gbload to its end.
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) async throws -> Subprocess.Result {
        try await inEmptyFolder { folder in
            try await Subprocess.run(path, arguments, environment: environment(extra), directory: folder)
        }
    }

    /// A scenario file with `text`, in the temporary folder; the caller removes it.
    static func scenarioFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID().uuidString).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// A child's stdout and stderr read to their ends on threads of their own (a full pipe must
/// not stall it), and its exit status.
struct RunningChild: Sendable {
    let child: Child
    private let output: Task<[UInt8], Never>
    private let errors: Task<[UInt8], Never>

    init(_ child: Child) {
        self.child = child
        output = Self.readInBackground(child.output)
        errors = Self.readInBackground(child.errorOutput!)
    }

    /// Waits for the exit; answers the status (128 + signal when a signal ended it) and both outputs.
    func finish() async -> (status: Int32, output: String, errorOutput: String) {
        let child = self.child
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: child.waitForExit()) }
        }
        return (status, String(decoding: await output.value, as: UTF8.self), String(decoding: await errors.value, as: UTF8.self))
    }

    private static func readInBackground(_ descriptor: Int32) -> Task<[UInt8], Never> {
        Task {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: Subprocess.readToEnd(descriptor)) }
            }
        }
    }
}
