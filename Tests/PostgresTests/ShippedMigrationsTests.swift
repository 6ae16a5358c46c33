import Foundation
import GroupBuyTesting
import IOCore
import Postgres
import Testing

/// The repository's migrations/ folder: numbered files for tables, functions/ for the business
/// functions, on databases of their own.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct ShippedMigrationsTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("migrations").path

    /// Runs `body` on a connection to a new database, dropped afterwards.
    func withDatabase<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let adminURL = try #require(testDatabaseURL)
        let database = try await ScratchDatabase.create(prefix: "gb_migrations", adminURL: adminURL)
        do {
            let result = try await onLoop { loop in
                let connection = try await PostgresConnection.connect(database.url, on: loop)
                defer { connection.close() }
                return try await body(connection)
            }
            try await database.drop()
            return result
        } catch {
            try? await database.drop()
            throw error
        }
    }

    /// Every gb_* function as `pg_get_functiondef` prints it, and every trigger of ours, by name.
    static func definitions(_ connection: PostgresConnection) async throws -> [String: String] {
        let rows = try await connection.query(
            """
            SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.proname LIKE 'gb\\_%'
            UNION ALL
            SELECT 'trigger ' || t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t WHERE NOT t.tgisinternal
            """
        )
        var definitions: [String: String] = [:]
        for index in 0..<rows.count { definitions[rows[index].string(0) ?? "?"] = rows[index].string(1) }
        return definitions
    }

    @Test func anExistingDatabaseUpgradesToTheFunctionsAFreshOneGets() async throws {
        let shipped = try Migrator.load(directory: Self.folder)
        #expect(
            shipped.repeatables.map(\.name) == [
                "functions/catalog.sql", "functions/domain.sql", "functions/inventory.sql", "functions/orders.sql",
                "functions/payments.sql",
            ])
        // A database as the builds before migrations/functions/ left it: the numbered files only.
        let (applied, upgraded) = try await withDatabase { connection in
            try await Migrator(migrations: shipped.migrations).migrate(on: connection)
            let applied = try await shipped.migrate(on: connection)
            return (applied, try await Self.definitions(connection))
        }
        #expect(applied == Migrator.Applied(versions: [], repeatables: shipped.repeatables.map(\.name)))
        let fresh = try await withDatabase { connection in
            try await shipped.migrate(on: connection)
            return try await Self.definitions(connection)
        }
        #expect(upgraded == fresh)
        #expect(
            Set(upgraded.keys).isSuperset(of: [
                "trigger orders_status_transition", "trigger groups_status_transition",
                "trigger deals_status_transition",
            ]))
    }

    @Test func everyBusinessFunctionIsDefinedInExactlyOneFile() async throws {
        let shipped = try Migrator.load(directory: Self.folder)
        var owners: [String: [String]] = [:]
        let definition = /CREATE OR REPLACE FUNCTION (gb_\w+)\(/
        for file in shipped.repeatables {
            for match in file.sql.matches(of: definition) { owners[String(match.1), default: []].append(file.name) }
            let once = file.sql.matches(of: /\nCREATE FUNCTION (\w+)/).map { String($0.1) }
            #expect(once == [], "\(file.name) is applied again: CREATE OR REPLACE these")
        }
        #expect(owners.filter { $0.value.count > 1 } == [:], "defined twice")
        let inDatabase = try await withDatabase { connection in
            try await shipped.migrate(on: connection)
            let rows = try await connection.query(
                "SELECT DISTINCT proname::text FROM pg_proc WHERE proname LIKE 'gb\\_%'"
            )
            return Set((0..<rows.count).compactMap { rows[$0].string(0) })
        }
        // A function of the numbered files that no file defines now would be left behind unowned.
        #expect(inDatabase.subtracting(owners.keys) == [], "functions no file of functions/ defines")
        #expect(Set(owners.keys).subtracting(inDatabase) == [])
    }

    @Test func everyFileCanBeAppliedAgainToADatabaseThatHasIt() async throws {
        let shipped = try Migrator.load(directory: Self.folder)
        let (once, again, applied) = try await withDatabase { connection in
            try await shipped.migrate(on: connection)
            let once = try await Self.definitions(connection)
            _ = try await connection.query("DELETE FROM schema_repeatables")
            let applied = try await shipped.migrate(on: connection)
            return (once, try await Self.definitions(connection), applied)
        }
        #expect(applied.repeatables == shipped.repeatables.map(\.name))
        #expect(again == once)
    }
}
