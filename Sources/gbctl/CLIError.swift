import ArgumentParser
import Foundation

/// A failure the user should read: printed as `gbctl: <message>` with its exit code.
struct CLIError: Error, CustomStringConvertible {
    enum Kind: Int32 {
        case refused = 1
        /// A check ran and found something broken (inventory, payments); its findings are on stdout.
        case unhealthy = 2
        /// The server failed (5xx other than 503).
        case serverError = 3
        /// No connection to the server or the database, or the server is unavailable (503: what
        /// it depends on is down or overloaded; retry later).
        case unreachable = 4
        case other = 5
        /// `status`: the server runs but a dependency (PostgreSQL, Redis, card provider) is down.
        case degraded = 6
    }

    let kind: Kind
    let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning a `CLIError` into its message on stderr and its exit code.
    func reporting(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("gbctl: \(error.description)\n".utf8))
            throw ExitCode(error.kind.rawValue)
        }
    }
}
