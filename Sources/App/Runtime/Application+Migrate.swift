import IOCore
import Postgres

extension Application {
    /// Applies pending migrations and changed SQL function files (`groupbuyd --migrate`); answers
    /// what it applied (`7, functions/orders.sql`), nil when the schema was up to date.
    public static func migrate(settings: Settings) async throws -> String? {
        try DatabaseSetup.applyPasswordFile(settings.database)
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let applied = try await DatabaseSetup.prepareSchema(settings.database, migrate: true, loop: group.loops[0])
        return applied.isEmpty ? nil : applied.summary
    }
}
