import Foundation
import IOCore
import Postgres
import Testing

/// Repeatable files (migrations/functions/): applied after the numbered migrations, again only
/// when their text changes, all changed ones in one transaction.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct MigratorRepeatablesTests {
    let url = testDatabaseURL ?? ""

    static let numbered = [
        Migrator.Migration(version: 1, name: "create_items", sql: "CREATE TABLE items (id int PRIMARY KEY);"),
        Migrator.Migration(
            version: 2, name: "create_applications", sql: "CREATE TABLE applications (file text NOT NULL);"
        ),
    ]

    /// A file that records each time it is applied and defines `<name>_answer()`, a plain SQL
    /// function (PostgreSQL checks its body when it is made, so the table must exist by then).
    static func file(_ name: String, answer: Int) -> Migrator.Repeatable {
        Migrator.Repeatable(
            name: "functions/\(name).sql",
            sql: """
                INSERT INTO applications VALUES ('\(name)');
                CREATE OR REPLACE FUNCTION \(name)_answer() RETURNS int LANGUAGE sql AS $$
                    SELECT \(answer) + count(*)::int * 0 FROM items
                $$;
                """
        )
    }

    func migrator(_ repeatables: [Migrator.Repeatable], _ schema: ScratchSchema) -> Migrator {
        Migrator(migrations: Self.numbered, repeatables: repeatables, schema: schema.name)
    }

    /// How often each file was applied, by name.
    func applications(_ connection: PostgresConnection) async throws -> [String: Int] {
        let rows = try await connection.query("SELECT file, count(*) FROM applications GROUP BY file")
        var counts: [String: Int] = [:]
        for index in 0..<rows.count { counts[rows[index].string(0) ?? "?"] = rows[index].int(1) }
        return counts
    }

    func answer(_ name: String, _ connection: PostgresConnection) async throws -> Int? {
        try await connection.query("SELECT \(name)_answer()")[0].int(0)
    }

    @Test func appliesRepeatablesAfterTheNumberedMigrationsOnceAndRecordsThem() async throws {
        try await ScratchSchema.with(url: url) { schema in
            let connection = try await schema.connect()
            defer { connection.close() }
            let migrator = migrator([Self.file("b", answer: 2), Self.file("a", answer: 1)], schema)
            let first = try await migrator.migrate(on: connection)
            #expect(first == Migrator.Applied(versions: [1, 2], repeatables: ["functions/a.sql", "functions/b.sql"]))
            let second = try await migrator.migrate(on: connection)
            #expect(second.isEmpty)
            let status = try await migrator.status(on: connection)
            #expect(status.repeatablesApplied == ["functions/a.sql", "functions/b.sql"])
            #expect(status.repeatablesPending == [])
            #expect(status.isCurrent)
            #expect(try await applications(connection) == ["a": 1, "b": 1])
            #expect(try await answer("a", connection) == 1)
        }
    }

    @Test func aChangedFileIsAppliedAgainAndOnlyIt() async throws {
        try await ScratchSchema.with(url: url) { schema in
            let connection = try await schema.connect()
            defer { connection.close() }
            try await migrator([Self.file("a", answer: 1), Self.file("b", answer: 2)], schema).migrate(on: connection)
            let edited = migrator([Self.file("a", answer: 1), Self.file("b", answer: 20)], schema)
            let before = try await edited.status(on: connection)
            #expect(before.repeatablesPending == ["functions/b.sql"])
            #expect(before.repeatablesApplied == ["functions/a.sql"])
            #expect(!before.isCurrent)
            let applied = try await edited.migrate(on: connection)
            #expect(applied == Migrator.Applied(versions: [], repeatables: ["functions/b.sql"]))
            #expect(try await applications(connection) == ["a": 1, "b": 2])
            #expect(try await answer("b", connection) == 20)
            #expect(try await edited.status(on: connection).isCurrent)
        }
    }

    @Test func aBrokenFileRollsBackEveryChangedFileAndIsNamed() async throws {
        try await ScratchSchema.with(url: url) { schema in
            let connection = try await schema.connect()
            defer { connection.close() }
            try await migrator([Self.file("a", answer: 1), Self.file("b", answer: 2)], schema).migrate(on: connection)
            let broken = Migrator.Repeatable(
                name: "functions/b.sql",
                sql: "CREATE OR REPLACE FUNCTION b_answer() RETURNS int LANGUAGE sql AS $$ SELECT nothing FROM items $$"
            )
            let edited = migrator([Self.file("a", answer: 10), broken], schema)
            var message = "no error"
            do {
                try await edited.migrate(on: connection)
            } catch let error as Migrator.MigrationError {
                message = error.description
            }
            #expect(message.contains("functions/b.sql could not be applied"), "\(message)")
            #expect(message.contains("42703"), "names PostgreSQL's reason (undefined column): \(message)")
            #expect(message.contains("column \"nothing\" does not exist"), "\(message)")
            // a.sql came first and succeeded, but went with b.sql: neither changed anything.
            #expect(try await answer("a", connection) == 1)
            #expect(try await answer("b", connection) == 2)
            #expect(try await applications(connection) == ["a": 1, "b": 1])
            let status = try await edited.status(on: connection)
            #expect(status.repeatablesPending == ["functions/a.sql", "functions/b.sql"])
        }
    }

    @Test func aFileRemovedFromTheFolderLeavesItsRecordAndFunctionsAlone() async throws {
        try await ScratchSchema.with(url: url) { schema in
            let connection = try await schema.connect()
            defer { connection.close() }
            try await migrator([Self.file("a", answer: 1), Self.file("b", answer: 2)], schema).migrate(on: connection)
            let fewer = migrator([Self.file("a", answer: 1)], schema)
            #expect(
                try await fewer.status(on: connection)
                    == Migrator.Status(
                        applied: [1, 2], pending: [], repeatablesApplied: ["functions/a.sql"], repeatablesPending: []
                    ))
            #expect(try await fewer.migrate(on: connection).isEmpty)
            #expect(try await answer("b", connection) == 2)
        }
    }

    @Test func concurrentMigratorsApplyEachRepeatableOnce() async throws {
        let counts = try await ScratchSchema.with(url: url) { schema in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask(executorPreference: schema.loop) {
                        let connection = try await schema.connect()
                        defer { connection.close() }
                        try await migrator([Self.file("a", answer: 1)], schema).migrate(on: connection)
                    }
                }
                try await group.waitForAll()
            }
            let connection = try await schema.connect()
            defer { connection.close() }
            return try await applications(connection)
        }
        #expect(counts == ["a": 1])
    }

    @Test func loadsTheFunctionsFolderInNameOrder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())").path
        try FileManager.default.createDirectory(atPath: "\(directory)/functions", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "SELECT 1;".write(toFile: "\(directory)/0001_first.sql", atomically: true, encoding: .utf8)
        #expect(try Migrator.load(directory: directory).repeatables.isEmpty)  // an empty folder
        try "SELECT 'o';".write(toFile: "\(directory)/functions/orders.sql", atomically: true, encoding: .utf8)
        try "SELECT 'c';".write(toFile: "\(directory)/functions/catalog.sql", atomically: true, encoding: .utf8)
        try "notes".write(toFile: "\(directory)/functions/README.md", atomically: true, encoding: .utf8)
        let migrator = try Migrator.load(directory: directory)
        #expect(migrator.migrations.map(\.version) == [1])
        #expect(
            migrator.repeatables == [
                Migrator.Repeatable(name: "functions/catalog.sql", sql: "SELECT 'c';"),
                Migrator.Repeatable(name: "functions/orders.sql", sql: "SELECT 'o';"),
            ])
        try FileManager.default.removeItem(atPath: "\(directory)/functions")
        #expect(try Migrator.load(directory: directory).repeatables.isEmpty)  // no folder: no repeatables
    }
}
