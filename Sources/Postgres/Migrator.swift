import Foundation

/// Applies the numbered SQL files of migrations/ (`0001_create_deals.sql`, …) in order, each
/// in its own transaction, and records each with a checksum. An applied file that was edited
/// afterwards is an error; a PostgreSQL advisory lock makes concurrent migrators (two
/// instances starting together) take turns, so every file is applied exactly once.
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

        public init(applied: [Int], pending: [Int]) {
            self.applied = applied
            self.pending = pending
        }
    }

    public struct MigrationError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    public let migrations: [Migration]
    /// The schema holding the tables and the `schema_migrations` record.
    public let schema: String

    public init(migrations: [Migration], schema: String = "public") {
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.schema = schema
    }

    /// Reads `NNNN_name.sql` files from `directory`; anything else is ignored, a bad or
    /// repeated number is an error.
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
        return Migrator(migrations: migrations, schema: schema)
    }

    /// The newest version this code knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is pending; returns the versions applied by this call.
    @discardableResult
    public func migrate(on connection: PostgresConnection) async throws -> [Int] {
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
            return done
        }
    }

    /// What is applied and what is pending; throws if an applied file was edited.
    public func status(on connection: PostgresConnection) async throws -> Status {
        try await withLock(on: connection) {
            let applied = try await verifiedApplied(on: connection)
            return Status(
                applied: applied.keys.sorted(),
                pending: migrations.map(\.version).filter { applied[$0] == nil }
            )
        }
    }

    // MARK: - Internals

    private var quotedSchema: String { "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// SQL computing the checksum of the text parameter `placeholder` on the server.
    private func checksumSQL(_ placeholder: String) -> String {
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
