import Catalog
import Idempotency
import Inventory
import Orders
import Payments
import Foundation
import IOCore
import Postgres

/// Opening the database at start: the password file, the schema check (or migration),
/// and the pool configuration every loop uses.
enum DatabaseSetup {
    static func poolConfiguration(_ settings: DatabaseSettings) -> PostgresPool.Configuration {
        var configuration = PostgresPool.Configuration(conninfo: settings.url)
        configuration.minConnections = settings.poolMin
        configuration.maxConnections = settings.poolMax
        configuration.maxWaiters = settings.poolMaxWaiters
        configuration.acquireTimeout = .milliseconds(settings.acquireTimeoutMs)
        configuration.idleTimeout = .milliseconds(settings.idleTimeoutMs)
        configuration.maxLifetime = .milliseconds(settings.maxLifetimeMs)
        configuration.healthCheckAfterIdle = .milliseconds(settings.healthCheckAfterIdleMs)
        configuration.sessionSettings = ["statement_timeout = \(settings.statementTimeoutMs)"]
        configuration.statements = CatalogStatements.all + OrdersStatements.all + IdempotencyStatements.all + InventoryStatements.all
            + PaymentsStatements.all
        return configuration
    }

    /// libpq reads PGPASSWORD when the URL has no password; set it from the file before any
    /// thread runs (setenv is not thread-safe).
    static func applyPasswordFile(_ settings: DatabaseSettings) throws {
        guard !settings.passwordFile.isEmpty else { return }
        let text: String
        do {
            text = try String(contentsOfFile: settings.passwordFile, encoding: .utf8)
        } catch {
            throw StartFailure.configuration("database.password_file \(settings.passwordFile) cannot be read: \(error.localizedDescription)")
        }
        let password = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        setenv("PGPASSWORD", password, 1)
    }

    /// Applies pending migrations (when asked to) or refuses a schema older or newer than
    /// this build, or functions other than its own. Returns what was applied now.
    @discardableResult
    static func prepareSchema(
        _ settings: DatabaseSettings, migrate: Bool, loop: EventLoop
    ) async throws -> Migrator.Applied {
        let migrator: Migrator
        do {
            migrator = try Migrator.load(directory: settings.migrationsDirectory)
        } catch {
            throw StartFailure.configuration("cannot read migrations from \(settings.migrationsDirectory): \(error)")
        }
        return try await Task(executorPreference: loop) {
            let connection: PostgresConnection
            do {
                connection = try await PostgresConnection.connect(settings.url, on: loop)
            } catch {
                throw StartFailure.unavailable("cannot reach the database: \(error)")
            }
            defer { connection.close() }
            do {
                if migrate { return try await migrator.migrate(on: connection) }
                let status = try await migrator.status(on: connection)
                guard status.pending.isEmpty else {
                    throw StartFailure.configuration(
                        """
                            the database schema lacks migration(s) \(status.pending.map(String.init).joined(separator: ", ")) \
                            that this build needs (it has \(status.applied.last ?? 0), needs \(migrator.latestVersion)); \
                            run `groupbuyd --migrate` or `gbctl migrate up` first
                            """
                    )
                }
                guard status.repeatablesPending.isEmpty else {
                    let files = status.repeatablesPending.joined(separator: ", ")
                    throw StartFailure.configuration(
                        """
                            the database's SQL functions are not this build's: \(files) changed or never applied; \
                            run `groupbuyd --migrate` or `gbctl migrate up` first
                            """
                    )
                }
                return Migrator.Applied(versions: [], repeatables: [])
            } catch let error as Migrator.MigrationError {
                throw StartFailure.configuration("migrations: \(error)")
            }
        }.value
    }
}
