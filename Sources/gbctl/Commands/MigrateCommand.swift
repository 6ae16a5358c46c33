import ArgumentParser
import Foundation
import IOCore
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply or inspect the database migrations.", subcommands: [Up.self, Status.self]
    )

    struct DatabaseOptions: ParsableArguments {
        @Option(help: "libpq URL (default: GROUPBUY_DATABASE_URL, DATABASE_URL, else the local development database).")
        var databaseURL: String?
        @Option(help: "Folder of the numbered SQL migrations (and of functions/, the SQL functions).")
        var migrations = "migrations"

        var url: String {
            let environment = ProcessInfo.processInfo.environment
            return databaseURL ?? environment["GROUPBUY_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
                ?? environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "postgresql://groupbuy@127.0.0.1:54329/groupbuy"
        }

        /// Runs `body` with a connection on a loop of its own.
        func withConnection<Result: Sendable>(_ body: @escaping @Sendable (Migrator, PostgresConnection) async throws -> Result) async throws -> Result {
            let migrator: Migrator
            do {
                migrator = try Migrator.load(directory: migrations)
            } catch {
                throw CLIError(.other, "cannot read migrations from \(migrations): \(error)")
            }
            let group = try EventLoopGroup(count: 1)
            defer { group.shutdown() }
            let loop = group.loops[0]
            let url = url
            return try await Task(executorPreference: loop) {
                let connection: PostgresConnection
                do {
                    connection = try await PostgresConnection.connect(url, on: loop)
                } catch {
                    throw CLIError(.unreachable, "cannot reach the database: \(error)")
                }
                defer { connection.close() }
                do {
                    return try await body(migrator, connection)
                } catch let error as Migrator.MigrationError {
                    throw CLIError(.other, error.description)
                } catch let error as PostgresError {
                    throw CLIError(.other, error.description)
                }
            }.value
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending migrations, each in its own transaction, then the changed SQL function files."
        )
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await reporting {
                let applied = try await database.withConnection { migrator, connection in try await migrator.migrate(on: connection) }
                print(applied.isEmpty ? "up to date" : "applied \(applied.summary)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show applied and pending migrations and SQL function files."
        )
        @OptionGroup var database: DatabaseOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            try await reporting {
                let (status, names) = try await database.withConnection { migrator, connection in
                    (try await migrator.status(on: connection), Dictionary(uniqueKeysWithValues: migrator.migrations.map { ($0.version, $0.name) }))
                }
                if json {
                    let object: [String: Any] = [
                        "applied": status.applied, "pending": status.pending,
                        "repeatablesApplied": status.repeatablesApplied,
                        "repeatablesPending": status.repeatablesPending,
                    ]
                    Output.json(try JSONSerialization.data(withJSONObject: object))
                    return
                }
                // Repeatable files have no version: their name stands in the NAME column.
                let numbered = (status.applied.map { ($0, "applied") } + status.pending.map { ($0, "pending") })
                    .map { [String($0.0), names[$0.0] ?? "?", $0.1] }
                let repeatable = status.repeatablesApplied.map { ["-", $0, "applied"] }
                    + status.repeatablesPending.map { ["-", $0, "pending"] }
                Output.table(["VERSION", "NAME", "STATE"], numbered + repeatable)
                let pending = status.pending.count + status.repeatablesPending.count
                if pending > 0 { throw CLIError(.other, "\(pending) migration(s) pending: run `gbctl migrate up`") }
            }
        }
    }
}
