import Foundation
package import IOCore
package import Postgres

/// The test cluster (scripts/test.sh sets it); the suites of SQL functions are skipped without it.
package let functionsTestDatabaseURL = ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"]

/// A database of its own for one test of the SQL functions, with the repository's migrations
/// applied (tables and migrations/functions/), and the event loop its connections live on.
/// Made as a copy of a migrated template (MigratedTemplate), so a test pays for a
/// `CREATE DATABASE`, not for the migrations.
package struct FunctionsDatabase: Sendable {
    package let url: String
    package let loop: EventLoop

    /// Runs `body` on the loop with a new database, dropped afterwards whatever happens.
    package static func with<Result: Sendable>(
        _ body: @escaping @Sendable (FunctionsDatabase) async throws -> Result
    ) async throws -> Result {
        guard let adminURL = functionsTestDatabaseURL else {
            throw FixtureFailure("GROUPBUY_TEST_DATABASE_URL is not set (scripts/test.sh sets it)")
        }
        await DatabaseSlots.shared.acquire()
        do {
            let result = try await run(adminURL: adminURL, body)
            await DatabaseSlots.shared.release()
            return result
        } catch {
            await DatabaseSlots.shared.release()
            throw error
        }
    }

    private static func run<Result: Sendable>(
        adminURL: String, _ body: @escaping @Sendable (FunctionsDatabase) async throws -> Result
    ) async throws -> Result {
        let group = try EventLoopGroup(count: 1)
        defer { group.shutdown() }
        let loop = group.loops[0]
        return try await Task(executorPreference: loop) {
            let template = try await MigratedTemplate.shared.name(adminURL: adminURL, loop: loop)
            let name = "gb_sql_test_\(UInt32.random(in: 0...UInt32.max))"
            let admin = try await PostgresConnection.connect(adminURL, on: loop)
            defer { admin.close() }
            _ = try await admin.simpleQuery("CREATE DATABASE \(name) TEMPLATE \(template)")
            let database = FunctionsDatabase(url: databaseURL(adminURL, name), loop: loop)
            // Not WITH (FORCE): that refuses (42501) when an autovacuum worker is in the database, a
            // superuser's process this role may not end; a plain DROP stops autovacuum itself. The
            // test's own sessions are closed by now.
            do {
                let result = try await body(database)
                _ = try await admin.simpleQuery("DROP DATABASE IF EXISTS \(name)")
                return result
            } catch {
                _ = try? await admin.simpleQuery("DROP DATABASE IF EXISTS \(name)")
                throw error
            }
        }.value
    }

    /// A new session; on the loop only.
    package func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(url, on: loop)
    }

    /// Runs `body` with a new session, closed afterwards.
    package func session<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await connect()
        defer { connection.close() }
        return try await body(connection)
    }
}

/// A fixture that could not do its part (no test database, a row it made is missing).
package struct FixtureFailure: Error, CustomStringConvertible {
    package let description: String

    package init(_ description: String) {
        self.description = description
    }
}

/// `adminURL` with its database name replaced by `name`.
func databaseURL(_ adminURL: String, _ name: String) -> String {
    let base = adminURL.lastIndex(of: "/").map { String(adminURL[..<$0]) } ?? adminURL
    return base + "/" + name
}
