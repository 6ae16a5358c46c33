import Foundation
import Postgres
import Testing

@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct MigratorTests {
    let url = testDatabaseURL ?? ""

    static func migrations(_ extra: [Migrator.Migration] = []) -> [Migrator.Migration] {
        [
            Migrator.Migration(version: 1, name: "create_items", sql: "CREATE TABLE items (id int PRIMARY KEY); CREATE INDEX items_id ON items (id);"),
            Migrator.Migration(version: 2, name: "add_name", sql: "ALTER TABLE items ADD COLUMN name text NOT NULL DEFAULT '';"),
        ] + extra
    }

    @Test func appliesInOrderOnceAndRecordsEach() async throws {
        let (first, second, status, columns) = try await ScratchSchema.with(url: url) { scratch in
            let schema = scratch.name
            let connection = try await scratch.connect()
            defer { connection.close() }
            let migrator = Migrator(migrations: Self.migrations(), schema: schema)
            let first = try await migrator.migrate(on: connection).versions
            let second = try await migrator.migrate(on: connection).versions
            let status = try await migrator.status(on: connection)
            let columns = try await connection.query(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1::text AND table_name = 'items'", [.text(schema)]
            )[0].int(0)
            return (first, second, status, columns)
        }
        #expect(first == [1, 2])
        #expect(second == [])
        #expect(status == Migrator.Status(applied: [1, 2], pending: []))
        #expect(columns == 2)
    }

    @Test func aFailingMigrationIsRolledBackAndNotRecorded() async throws {
        let (error, status, tableExists) = try await ScratchSchema.with(url: url) { scratch in
            let schema = scratch.name
            let connection = try await scratch.connect()
            defer { connection.close() }
            let broken = Migrator.Migration(version: 3, name: "broken", sql: "CREATE TABLE half (id int); SELECT no_such_function();")
            let migrator = Migrator(migrations: Self.migrations([broken]), schema: schema)
            var caught: PostgresError?
            do { try await migrator.migrate(on: connection) } catch let error as PostgresError { caught = error }
            let status = try await migrator.status(on: connection)
            let exists = try await connection.query("SELECT to_regclass($1::text) IS NOT NULL", [.text("\(schema).half")])[0].bool(0)
            return (caught, status, exists)
        }
        #expect(error?.sqlState == "42883")  // undefined_function
        #expect(status == Migrator.Status(applied: [1, 2], pending: [3]))
        #expect(tableExists == false)
    }

    @Test func anEditedAppliedMigrationIsAnError() async throws {
        let message = try await ScratchSchema.with(url: url) { scratch in
            let schema = scratch.name
            let connection = try await scratch.connect()
            defer { connection.close() }
            try await Migrator(migrations: Self.migrations(), schema: schema).migrate(on: connection)
            var edited = Self.migrations()
            edited[1] = Migrator.Migration(version: 2, name: "add_name", sql: edited[1].sql + " -- changed")
            do {
                try await Migrator(migrations: edited, schema: schema).migrate(on: connection)
                return "no error"
            } catch let error as Migrator.MigrationError {
                return error.description
            }
        }
        #expect(message.contains("2_add_name.sql was edited"))
    }

    @Test func aDatabaseNewerThanTheCodeIsAnError() async throws {
        let message = try await ScratchSchema.with(url: url) { scratch in
            let schema = scratch.name
            let connection = try await scratch.connect()
            defer { connection.close() }
            try await Migrator(migrations: Self.migrations(), schema: schema).migrate(on: connection)
            do {
                _ = try await Migrator(migrations: Array(Self.migrations().prefix(1)), schema: schema).status(on: connection)
                return "no error"
            } catch let error as Migrator.MigrationError {
                return error.description
            }
        }
        #expect(message.contains("newer than this build"))
    }

    @Test func concurrentMigratorsApplyEachMigrationExactlyOnce() async throws {
        let applied = try await ScratchSchema.with(url: url) { scratch in
            let schema = scratch.name
            return try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 {
                    group.addTask(executorPreference: scratch.loop) {
                        let connection = try await scratch.connect()
                        defer { connection.close() }
                        let migrator = Migrator(migrations: Self.migrations(), schema: schema)
                        return try await migrator.migrate(on: connection).versions
                    }
                }
                var all: [Int] = []
                for try await versions in group { all += versions }
                return all.sorted()
            }
        }
        // CREATE TABLE items would fail a second time: each version ran once in total.
        #expect(applied == [1, 2])
    }

    @Test func loadsNumberedFilesAndRefusesBadNames() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "SELECT 2;".write(toFile: "\(directory)/0002_second.sql", atomically: true, encoding: .utf8)
        try "SELECT 1;".write(toFile: "\(directory)/0001_first.sql", atomically: true, encoding: .utf8)
        try "notes".write(toFile: "\(directory)/README.md", atomically: true, encoding: .utf8)
        let migrator = try Migrator.load(directory: directory)
        #expect(migrator.migrations.map(\.version) == [1, 2])
        #expect(migrator.migrations.map(\.name) == ["first", "second"])
        try "SELECT 3;".write(toFile: "\(directory)/third.sql", atomically: true, encoding: .utf8)
        #expect(throws: Migrator.MigrationError.self) { try Migrator.load(directory: directory) }
    }
}
