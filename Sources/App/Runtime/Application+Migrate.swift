import IOCore

extension Application {
    /// A failure to start that deserves a message and a particular exit code, not a trace.
    public struct StartFailure: Error, CustomStringConvertible {
        public let description: String
        public let exitCode: Int32
    }

    /// Applies pending migrations and returns the versions applied (`groupbuyd --migrate`).
    public static func migrate(settings: Settings) async throws -> [Int] {
        try DatabaseSetup.applyPasswordFile(settings.database)
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        return try await DatabaseSetup.prepareSchema(settings.database, migrate: true, loop: group.loops[0])
    }

    /// The start failure `error` stands for, if it is one.
    public static func startFailure(_ error: any Error) -> StartFailure? {
        guard let error = error as? DatabaseSetup.StartError else { return nil }
        return StartFailure(description: error.description, exitCode: error.exitCode)
    }
}
