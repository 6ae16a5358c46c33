import IOCore

extension Application {
    /// Applies pending migrations and returns the versions applied (`groupbuyd --migrate`).
    public static func migrate(settings: Settings) async throws -> [Int] {
        try DatabaseSetup.applyPasswordFile(settings.database)
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        return try await DatabaseSetup.prepareSchema(settings.database, migrate: true, loop: group.loops[0])
    }
}
