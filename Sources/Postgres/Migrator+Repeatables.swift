import Foundation

// Repeatable files (Flyway's `R__` idea): the business functions live in migrations/functions/,
// one file per module, each `CREATE OR REPLACE`-ing the current definition of what it owns.
// A file is applied again whenever its text differs from the one recorded in
// `schema_repeatables`, so a fix edits the function where it lives instead of copying it into
// a new numbered migration. They run after every numbered migration (whose tables they use),
// in name order; the changed ones all in one transaction, so a deploy gets all of its new
// functions or none.

extension Migrator {
    /// A SQL file applied again whenever its text changes.
    package struct Repeatable: Sendable, Equatable {
        /// Its path under the migrations folder (`functions/orders.sql`), the key of its record.
        package let name: String
        package let sql: String

        package init(name: String, sql: String) {
            self.name = name
            self.sql = sql
        }
    }

    /// The folder of repeatable files, under the migrations folder.
    package static let repeatableFolder = "functions"

    /// The `.sql` files of `directory/functions/`, none when there is no such folder.
    static func loadRepeatables(directory: String) throws -> [Repeatable] {
        let folder = "\(directory)/\(repeatableFolder)"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".sql") }
        return try files.map { file in
            let sql = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            return Repeatable(name: "\(repeatableFolder)/\(file)", sql: sql)
        }
    }

    /// The repeatable files, in name order, that the database has not applied as they are now.
    func changedRepeatables(on connection: PostgresConnection) async throws -> [Repeatable] {
        var changed: [Repeatable] = []
        for file in repeatables {
            let rows = try await connection.query(
                """
                SELECT \(checksumSQL("$2")) IS DISTINCT FROM
                       (SELECT checksum FROM \(quotedSchema).schema_repeatables WHERE name = $1::text)
                """,
                [.text(file.name), .text(file.sql)]
            )
            if rows[0].bool(0) == true { changed.append(file) }
        }
        return changed
    }

    /// Applies `files` in one transaction and records their checksums. A file PostgreSQL
    /// refuses rolls back all of them and is named in the error.
    func apply(_ files: [Repeatable], on connection: PostgresConnection) async throws {
        guard !files.isEmpty else { return }
        try await connection.transaction { tx in
            for file in files {
                do {
                    _ = try await tx.simpleQuery(file.sql)
                } catch let error as PostgresError where error.sqlState != nil {
                    throw MigrationError(
                        description: "\(file.name) could not be applied, so no function changed (all rolled back): "
                            + error.description
                    )
                }
                _ = try await tx.query(
                    """
                    INSERT INTO \(quotedSchema).schema_repeatables (name, checksum)
                    VALUES ($1::text, \(checksumSQL("$2")))
                    ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now()
                    """,
                    [.text(file.name), .text(file.sql)]
                )
            }
        }
    }
}
