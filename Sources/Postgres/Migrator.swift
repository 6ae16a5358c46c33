import Foundation

/// Applies the numbered SQL files of migrations/ (`0001_create_deals.sql`, …) in order, each
/// in its own transaction, and records each with a checksum. An applied file that was edited
/// afterwards is an error; a PostgreSQL advisory lock makes concurrent migrators (two
/// instances starting together) take turns, so every file is applied exactly once. Then the
/// repeatable files of migrations/functions/ whose text changed since they were last applied
/// are applied again (Migrator+Repeatables.swift).
public struct Migrator: Sendable {
    public struct Migration: Sendable, Equatable {
        public let version: Int
        public let name: String
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    public struct Status: Sendable, Equatable {
        public var applied: [Int]
        public var pending: [Int]
        /// Repeatable files (`functions/orders.sql`) applied as they are now.
        package var repeatablesApplied: [String]
        /// Repeatable files never applied, or changed since they were.
        package var repeatablesPending: [String]

        public init(
            applied: [Int], pending: [Int], repeatablesApplied: [String] = [], repeatablesPending: [String] = []
        ) {
            self.applied = applied
            self.pending = pending
            self.repeatablesApplied = repeatablesApplied
            self.repeatablesPending = repeatablesPending
        }

        /// Nothing to apply: the schema and the functions are this build's.
        package var isCurrent: Bool { pending.isEmpty && repeatablesPending.isEmpty }
    }

    /// What one `migrate` call applied.
    package struct Applied: Sendable, Equatable {
        package var versions: [Int]
        package var repeatables: [String]

        package init(versions: [Int], repeatables: [String]) {
            self.versions = versions
            self.repeatables = repeatables
        }

        package var isEmpty: Bool { versions.isEmpty && repeatables.isEmpty }
        /// `1, 2, functions/orders.sql`, for logs and command output.
        package var summary: String { (versions.map(String.init) + repeatables).joined(separator: ", ") }
    }

    public struct MigrationError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let migrations: [Migration]
    /// Applied after every numbered migration, in name order.
    package let repeatables: [Repeatable]
    /// The schema holding the tables and the `schema_migrations` record.
    public let schema: String

    package init(migrations: [Migration], repeatables: [Repeatable] = [], schema: String = "public") {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.repeatables = repeatables.sorted { $0.name < $1.name }
        self.schema = schema
    }

    /// Reads `NNNN_name.sql` files from `directory`, and the repeatable files of its
    /// `functions/` folder when there is one; anything else is ignored, a bad or repeated
    /// number is an error.
    public static func load(directory: String, schema: String = "public") throws -> Migrator {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".sql") }
        var migrations: [Migration] = []
        for file in files {
            let stem = file.dropLast(4)
            guard let underscore = stem.firstIndex(of: "_"), let version = Int(stem[..<underscore]), version > 0 else {
                throw MigrationError(description: "\(file): migration files are named NNNN_name.sql")
            }
            if migrations.contains(where: { $0.version == version }) {
                throw MigrationError(description: "\(file): version \(version) is used twice")
            }
            let sql = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: underscore)...]), sql: sql))
        }
        return Migrator(migrations: migrations, repeatables: try loadRepeatables(directory: directory), schema: schema)
    }

    /// The newest version this code knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies the pending numbered migrations, then the repeatable files that changed;
    /// returns what this call applied.
    @discardableResult
    package func migrate(on connection: PostgresConnection) async throws -> Applied {
        try await withLock(on: connection) {
            let applied = try await verifiedApplied(on: connection)
            var done: [Int] = []
            for migration in migrations where applied[migration.version] == nil {
                try await connection.transaction { tx in
                    _ = try await tx.simpleQuery(migration.sql)
                    _ = try await tx.query(
                        "INSERT INTO \(quotedSchema).schema_migrations (version, name, checksum) VALUES ($1::int, $2::text, \(checksumSQL("$3")))",
                        [.int(migration.version), .text(migration.name), .text(migration.sql)]
                    )
                }
                done.append(migration.version)
            }
            let changed = try await changedRepeatables(on: connection)
            try await apply(changed, on: connection)
            return Applied(versions: done, repeatables: changed.map(\.name))
        }
    }

    /// What is applied and what is pending; throws if an applied file was edited.
    public func status(on connection: PostgresConnection) async throws -> Status {
        try await withLock(on: connection) {
            let applied = try await verifiedApplied(on: connection)
            let changed = Set(try await changedRepeatables(on: connection).map(\.name))
            return Status(
                applied: applied.keys.sorted(),
                pending: migrations.map(\.version).filter { applied[$0] == nil },
                repeatablesApplied: repeatables.map(\.name).filter { !changed.contains($0) },
                repeatablesPending: repeatables.map(\.name).filter { changed.contains($0) }
            )
        }
    }

    // MARK: - Internals

    var quotedSchema: String { "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// SQL computing the checksum of the text parameter `placeholder` on the server.
    func checksumSQL(_ placeholder: String) -> String {
        "encode(sha256(convert_to(\(placeholder)::text, 'UTF8')), 'hex')"
    }

    private func withLock<Result>(on connection: PostgresConnection, _ body: () async throws -> Result) async throws -> Result {
        // One lock per schema; hashtext gives the advisory lock key.
        _ = try await connection.query("SELECT pg_advisory_lock(hashtext($1::text))", [.text("groupbuy-migrations:\(schema)")])
        do {
            let result = try await body()
            _ = try await connection.query("SELECT pg_advisory_unlock(hashtext($1::text))", [.text("groupbuy-migrations:\(schema)")])
            return result
        } catch {
            if connection.isUsable {
                _ = try? await connection.query("SELECT pg_advisory_unlock(hashtext($1::text))", [.text("groupbuy-migrations:\(schema)")])
            }
            throw error
        }
    }

    /// The applied versions with their checksums, after checking each against its file.
    private func verifiedApplied(on connection: PostgresConnection) async throws -> [Int: String] {
        _ = try await connection.simpleQuery(
            """
            CREATE SCHEMA IF NOT EXISTS \(quotedSchema);
            CREATE TABLE IF NOT EXISTS \(quotedSchema).schema_migrations (
                version int PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            CREATE TABLE IF NOT EXISTS \(quotedSchema).schema_repeatables (
                name text PRIMARY KEY,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """
        )
        let rows = try await connection.query("SELECT version, checksum FROM \(quotedSchema).schema_migrations ORDER BY version")
        var applied: [Int: String] = [:]
        for index in 0..<rows.count {
            if let version = rows[index].int(0), let checksum = rows[index].string(1) { applied[version] = checksum }
        }
        for (version, checksum) in applied {
            guard let migration = migrations.first(where: { $0.version == version }) else {
                throw MigrationError(description: "the database has migration \(version), which this code does not know: it is newer than this build")
            }
            let expected = try await connection.query("SELECT \(checksumSQL("$1"))", [.text(migration.sql)])[0].string(0)
            if expected != checksum {
                throw MigrationError(
                    description: "migration \(version)_\(migration.name).sql was edited after it was applied (checksum \(checksum), file \(expected ?? "?")); add a new migration instead"
                )
            }
        }
        return applied
    }
}
