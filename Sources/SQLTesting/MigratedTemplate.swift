import Foundation
import IOCore
import Postgres

/// One migrated database per content of migrations/, copied by every FunctionsDatabase. Its
/// name carries a hash of the files, so an edited function gets a new template (the old ones
/// are dropped then); it is migrated under a temporary name and renamed once complete, so a
/// run killed half-way never leaves a half-migrated template behind. An advisory lock makes
/// test processes that start together take turns.
actor MigratedTemplate {
    static let shared = MigratedTemplate()

    private var made: Task<String, any Error>?

    /// The repository's migrations/ folder, found from this file.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("migrations").path

    func name(adminURL: String, loop: EventLoop) async throws -> String {
        if let made { return try await made.value }
        let task = Task(executorPreference: loop) { try await Self.make(adminURL: adminURL, loop: loop) }
        made = task
        return try await task.value
    }

    private static func make(adminURL: String, loop: EventLoop) async throws -> String {
        let migrator = try Migrator.load(directory: folder)
        let name = "gb_sql_template_\(fingerprint(migrator))"
        let admin = try await PostgresConnection.connect(adminURL, on: loop)
        defer { admin.close() }
        _ = try await admin.query("SELECT pg_advisory_lock(hashtext('groupbuy-sql-template'))")
        let exists =
            try await admin.query("SELECT 1 FROM pg_database WHERE datname = $1::text", [.text(name)]).count == 1
        if !exists {
            let stale = try await admin.query(
                """
                SELECT datname FROM pg_database
                WHERE datname LIKE 'gb\\_sql\\_template\\_%' OR datname LIKE 'gb\\_sql\\_building\\_%'
                """
            )
            for index in 0..<stale.count {
                _ = try await admin.simpleQuery("DROP DATABASE IF EXISTS \(stale[index].string(0) ?? "")")
            }
            let building = "gb_sql_building_\(UInt32.random(in: 0...UInt32.max))"
            _ = try await admin.simpleQuery("CREATE DATABASE \(building)")
            let connection = try await PostgresConnection.connect(databaseURL(adminURL, building), on: loop)
            do {
                try await migrator.migrate(on: connection)
            } catch {
                connection.close()
                throw error
            }
            connection.close()
            // The migrating session may still be ending; RENAME waits a few seconds for it.
            _ = try await admin.simpleQuery("ALTER DATABASE \(building) RENAME TO \(name)")
        }
        _ = try await admin.query("SELECT pg_advisory_unlock(hashtext('groupbuy-sql-template'))")
        return name
    }

    /// 64-bit FNV-1a of every file's name and text: stable across processes, unlike Hasher.
    static func fingerprint(_ migrator: Migrator) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let texts =
            migrator.migrations.flatMap { ["\($0.version)", $0.sql] }
            + migrator.repeatables.flatMap { [$0.name, $0.sql] }
        for text in texts {
            for byte in text.utf8 + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }
}
