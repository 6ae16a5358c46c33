import Foundation
import GroupBuyTesting
import Testing

/// groupbuyd and the SQL function files of migrations/functions/: a file PostgreSQL refuses
/// stops the start with its name, and functions other than the build's are not served.
@Suite struct DaemonFunctionFilesTests {
    /// A copy of the shipped migrations folder whose functions/orders.sql is `edit`ed, and a
    /// database of its own; `body` gets the environment pointing groupbuyd at both.
    func withEditedMigrations<Result>(
        _ edit: (String) -> String, _ body: ([String: String]) async throws -> Result
    ) async throws -> Result {
        let shipped = try #require(Daemon.serviceEnvironment["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY"])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gb-migrations-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: shipped, toPath: folder.path)
        defer { try? FileManager.default.removeItem(at: folder) }
        let orders = folder.appendingPathComponent("functions/orders.sql")
        try edit(try String(contentsOf: orders, encoding: .utf8)).write(to: orders, atomically: true, encoding: .utf8)
        let database = try await ScratchDatabase.create(
            prefix: "groupbuy_functions", adminURL: try #require(Daemon.serviceEnvironment["GROUPBUY_DATABASE_URL"])
        )
        do {
            let result = try await body([
                "GROUPBUY_DATABASE_URL": database.url, "GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY": folder.path,
            ])
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    @Test func aBrokenFunctionFileStopsTheStartAndIsNamed() async throws {
        let broken = "\nCREATE OR REPLACE FUNCTION gb_broken() RETURNS int LANGUAGE sql AS $$ SELEC 1 $$;\n"
        try await withEditedMigrations({ $0 + broken }) { environment in
            let migrate = try await Daemon.runToCompletion(arguments: ["--migrate"], environment: environment)
            #expect(migrate.status == 78)
            #expect(migrate.stderr.contains("functions/orders.sql could not be applied"), "\(migrate.stderr)")
            #expect(migrate.stderr.contains("42601"), "PostgreSQL's reason (a syntax error): \(migrate.stderr)")
            let start = try await Daemon.runToCompletion(arguments: [], environment: environment)
            #expect(start.status == 78)
            #expect(start.stderr.contains("functions/orders.sql could not be applied"), "\(start.stderr)")
            // Nothing of the files was applied: a start without migrating names them all.
            let refused = try await Daemon.runToCompletion(
                arguments: [], environment: environment.merging(["GROUPBUY_DATABASE_MIGRATE_ON_START": "false"]) { $1 }
            )
            #expect(refused.status == 78)
            #expect(refused.stderr.contains("functions/catalog.sql, functions/domain.sql"), "\(refused.stderr)")
        }
    }

    @Test func aChangedFunctionFileMustBeMigratedBeforeTheServiceStarts() async throws {
        try await withEditedMigrations({ $0 + "\n-- a fix\n" }) { environment in
            let notMigrating = environment.merging(["GROUPBUY_DATABASE_MIGRATE_ON_START": "false"]) { $1 }
            let migrated = try await Daemon.runToCompletion(arguments: ["--migrate"], environment: environment)
            #expect(migrated.status == 0, "\(migrated.stderr)")
            #expect(migrated.stdout.contains("functions/orders.sql"), "\(migrated.stdout)")
            let again = try await Daemon.runToCompletion(arguments: ["--migrate"], environment: environment)
            #expect(again.stdout.contains("the schema is up to date"), "\(again.stdout)")
            // The same database, against the shipped files: orders.sql differs from the one applied.
            let shipped = try #require(Daemon.serviceEnvironment["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY"])
            let refused = try await Daemon.runToCompletion(
                arguments: [],
                environment: notMigrating.merging(["GROUPBUY_DATABASE_MIGRATIONS_DIRECTORY": shipped]) { $1 }
            )
            #expect(refused.status == 78)
            let named = refused.stderr.contains("SQL functions are not this build's: functions/orders.sql changed")
            #expect(named, "\(refused.stderr)")
            #expect(refused.stderr.contains("groupbuyd --migrate"), "\(refused.stderr)")
        }
    }
}
