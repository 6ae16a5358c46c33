import IOCore
import Postgres

/// A fresh schema of the test database for one migrator test, dropped afterwards. `connect`
/// opens connections whose search path is that schema.
struct ScratchSchema: Sendable {
    let url: String
    let name: String
    let loop: EventLoop

    static func with<Result: Sendable>(
        url: String, _ body: @escaping @Sendable (ScratchSchema) async throws -> Result
    ) async throws -> Result {
        let name = "migrator_test_\(UInt32.random(in: 0...UInt32.max))"
        return try await onLoop { loop in
            let admin = try await PostgresConnection.connect(url, on: loop)
            defer { admin.close() }
            // Made here once: concurrent CREATE SCHEMA IF NOT EXISTS can race to a unique violation.
            _ = try await admin.simpleQuery("CREATE SCHEMA \(name)")
            do {
                let result = try await body(ScratchSchema(url: url, name: name, loop: loop))
                _ = try await admin.simpleQuery("DROP SCHEMA IF EXISTS \(name) CASCADE")
                return result
            } catch {
                _ = try? await admin.simpleQuery("DROP SCHEMA IF EXISTS \(name) CASCADE")
                throw error
            }
        }
    }

    func connect() async throws -> PostgresConnection {
        let connection = try await PostgresConnection.connect(url, on: loop)
        _ = try await connection.simpleQuery("SET search_path TO \(name)")
        return connection
    }
}
