import Foundation
import IOCore
import Postgres
import Testing

/// Runs `body` in a task on a fresh event loop, where a PostgresConnection must be used.
func onLoop<Result: Sendable>(_ body: @escaping @Sendable (EventLoop) async throws -> Result) async throws -> Result {
    let group = try EventLoopGroup(count: 1)
    defer { group.shutdown() }
    let loop = group.loops[0]
    return try await Task(executorPreference: loop) { try await body(loop) }.value
}

let testDatabaseURL = ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"]

/// Against the private PostgreSQL that scripts/test.sh starts.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct PostgresConnectionTests {
    let url = testDatabaseURL ?? ""

    @Test func connectsAndAnswersAQueryWithBoundParameters() async throws {
        let url = url
        let rows = try await onLoop { loop in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            return try await connection.query("SELECT $1::int + $2::int AS sum, $3::text AS name, $4::text AS nothing", [40, 2, "grüße", nil])
        }
        #expect(rows.columns == ["sum", "name", "nothing"])
        #expect(rows.count == 1)
        #expect(rows[0].int("sum") == 42)
        #expect(rows[0].string("name") == "grüße")
        #expect(rows[0].isNull(2))
    }

    @Test func parametersAreNeverSQL() async throws {
        let url = url
        let hostile = "'; DROP TABLE pg_class; --"
        let rows = try await onLoop { loop in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            return try await connection.query("SELECT $1::text AS echoed, length($1::text) AS length", [.text(hostile)])
        }
        #expect(rows[0].string("echoed") == hostile)
        #expect(rows[0].int("length") == hostile.count)
    }

    @Test func aServerErrorCarriesItsSQLStateAndLeavesTheConnectionUsable() async throws {
        let url = url
        let (error, after) = try await onLoop { loop -> (PostgresError?, Int?) in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            var caught: PostgresError?
            do {
                _ = try await connection.query("SELECT $1::int", ["not a number"])
            } catch let error as PostgresError {
                caught = error
            }
            let rows = try await connection.query("SELECT 7")
            return (caught, rows[0].int(0))
        }
        #expect(error?.sqlState == "22P02")  // invalid_text_representation
        #expect(after == 7)
    }

    @Test func preparedStatementsRunManyTimes() async throws {
        let url = url
        let total = try await onLoop { loop in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            try await connection.prepare("double_it", "SELECT $1::bigint * 2")
            var total = 0
            for value in 1...500 {
                total += try await connection.execute("double_it", [.int(value)])[0].int(0) ?? 0
            }
            return total
        }
        #expect(total == 500 * 501)
    }

    @Test func concurrentCallersOnOneConnectionAreAnsweredInTurn() async throws {
        let url = url
        let answers = try await onLoop { loop in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            return try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<50 {
                    group.addTask(executorPreference: loop) {
                        let rows = try await connection.query("SELECT $1::int, pg_sleep(0.001)", [.int(index)])
                        return (index, rows[0].int(0) ?? -1)
                    }
                }
                var answers: [Int: Int] = [:]
                for try await (index, answer) in group { answers[index] = answer }
                return answers
            }
        }
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0.key == $0.value })
    }

    @Test func commandsReportAffectedRows() async throws {
        let url = url
        let table = "connection_test_\(UInt32.random(in: 0...UInt32.max))"
        let (inserted, updated) = try await onLoop { loop in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            _ = try await connection.query("CREATE TEMP TABLE \(table) (id int)")
            let inserted = try await connection.query("INSERT INTO \(table) SELECT generate_series(1, 25)")
            let updated = try await connection.query("UPDATE \(table) SET id = id + 1 WHERE id > $1::int", [.int(20)])
            return (inserted.affectedRows, updated.affectedRows)
        }
        #expect(inserted == 25)
        #expect(updated == 5)
    }

    @Test func aRefusedConnectionFailsWithAConnectionError() async throws {
        // Nothing listens on port 1: the refusal must come back as an error, not a hang.
        let error = await #expect(throws: PostgresError.self) {
            _ = try await onLoop { loop in
                try await PostgresConnection.connect("postgresql://groupbuy@127.0.0.1:1/groupbuy_test?connect_timeout=5", on: loop)
            }
        }
        #expect(error?.kind == .connection)
    }

    @Test func aWrongDatabaseIsRefusedByTheServer() async throws {
        let base = url.split(separator: "/").dropLast().joined(separator: "/")
        let error = await #expect(throws: PostgresError.self) {
            _ = try await onLoop { loop in
                try await PostgresConnection.connect("\(base)/no_such_database", on: loop)
            }
        }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("no_such_database") == true)
    }

    @Test func theServerEndingTheSessionFailsTheStatementAndMarksTheConnectionUnusable() async throws {
        let url = url
        let (error, usable) = try await onLoop { loop -> (PostgresError?, Bool) in
            let connection = try await PostgresConnection.connect(url, on: loop)
            var caught: PostgresError?
            do {
                // The backend terminates itself: the client sees the connection end mid-statement.
                _ = try await connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
            } catch let error as PostgresError {
                caught = error
            }
            return (caught, connection.isUsable)
        }
        #expect(error?.kind == .connection)
        #expect(usable == false)
    }

    @Test func cancellingTheTaskCancelsItsStatementAndKeepsTheConnection() async throws {
        let url = url
        let (state, afterwards) = try await onLoop { loop -> (String?, Int?) in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            let observer = try await PostgresConnection.connect(url, on: loop)
            defer { observer.close() }
            let pid = try await connection.query("SELECT pg_backend_pid()")[0].int(0) ?? 0
            let sleeper = Task(executorPreference: loop) { try await connection.query("SELECT pg_sleep(30)") }
            // Cancel once the server is really running the statement.
            let deadline = ContinuousClock.now.advanced(by: .seconds(10))
            while ContinuousClock.now < deadline {
                let active = try await observer.query(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int AND state = 'active' AND query LIKE 'SELECT pg_sleep%'", [.int(pid)]
                )[0].int(0)
                if active == 1 { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            sleeper.cancel()
            var state: String?
            do { _ = try await sleeper.value } catch let error as PostgresError { state = error.sqlState }
            return (state, try await connection.query("SELECT 7")[0].int(0))
        }
        #expect(state == "57014")
        #expect(afterwards == 7)
    }

    @Test func aTransactionCommitsOrRollsBack() async throws {
        let url = url
        struct Refusal: Error {}
        let (kept, dropped) = try await onLoop { loop -> (Int?, Int?) in
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            _ = try await connection.simpleQuery("CREATE TEMP TABLE tx_probe (n int)")
            try await connection.transaction { tx in _ = try await tx.query("INSERT INTO tx_probe VALUES (1)") }
            do {
                try await connection.transaction { tx in
                    _ = try await tx.query("INSERT INTO tx_probe VALUES (2)")
                    throw Refusal()
                }
            } catch is Refusal {}
            let kept = try await connection.query("SELECT count(*) FROM tx_probe WHERE n = 1")[0].int(0)
            let dropped = try await connection.query("SELECT count(*) FROM tx_probe WHERE n = 2")[0].int(0)
            return (kept, dropped)
        }
        #expect(kept == 1)
        #expect(dropped == 0)
    }
}

/// A session the server ends while nobody is waiting on the connection (a restart, a crash,
/// `pg_terminate_backend`): whatever the holder asks next must fail as the outage it is
/// (`isUnavailable`, answered 503), never as a misuse of a closed connection (a 500).
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct PostgresBrokenSessionTests {
    let url = testDatabaseURL ?? ""

    @Test func aStatementAfterTheSessionEndedFailsAsUnavailable() async throws {
        let url = url
        let error = try await onLoop { loop -> PostgresError? in
            let connection = try await PostgresConnection.connect(url, on: loop)
            try await Self.terminateAndWaitUntilNoticed(connection, url: url, loop: loop)
            do {
                _ = try await connection.query("SELECT 1")
                return nil
            } catch let error as PostgresError {
                return error
            }
        }
        #expect(error?.kind == .connection, "\(String(describing: error))")
        #expect(error?.isUnavailable == true)
    }

    @Test(arguments: [true, false])
    func aTransactionWhoseSessionEndsFailsAsUnavailable(statementAfterTheEnd: Bool) async throws {
        let url = url
        let error = try await onLoop { loop -> PostgresError? in
            let connection = try await PostgresConnection.connect(url, on: loop)
            do {
                // Either a statement follows the end, or the body succeeds and COMMIT does.
                try await connection.transaction { tx in
                    _ = try await tx.query("SELECT 1")
                    try await Self.terminateAndWaitUntilNoticed(tx, url: url, loop: loop)
                    if statementAfterTheEnd { _ = try await tx.query("SELECT 2") }
                }
                return nil
            } catch let error as PostgresError {
                return error
            }
        }
        #expect(error?.isUnavailable == true, "\(String(describing: error))")
    }

    @Test func aStatementOnAConnectionWeClosedIsAMisuse() async throws {
        let url = url
        let error = try await onLoop { loop -> PostgresError? in
            let connection = try await PostgresConnection.connect(url, on: loop)
            connection.close()
            do {
                _ = try await connection.query("SELECT 1")
                return nil
            } catch let error as PostgresError {
                return error
            }
        }
        #expect(error?.kind == .misuse)
        #expect(error?.isUnavailable == false)
    }

    @Test func aPooledConnectionWhoseSessionEndedIsReplacedOnTheNextAcquire() async throws {
        var configuration = PostgresPool.Configuration(conninfo: url)
        configuration.minConnections = 1
        configuration.maxConnections = 1
        let url = url
        let (answer, opened) = try await onLoop { [configuration] loop -> (Int?, Int) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let held = try await pool.acquire()
            try await Self.terminateAndWaitUntilNoticed(held, url: url, loop: loop)
            pool.release(held)
            let answer = try await pool.withConnection { try await $0.query("SELECT 7")[0].int(0) }
            return (answer, pool.figures.opened)
        }
        #expect(answer == 7)
        #expect(opened == 2)
    }

    /// Ends `connection`'s session from another one, then waits until `connection` has seen
    /// its socket close (the loop handled the hang-up), without using it.
    static func terminateAndWaitUntilNoticed(_ connection: PostgresConnection, url: String, loop: EventLoop) async throws {
        let pid = try await connection.query("SELECT pg_backend_pid()")[0].int(0) ?? 0
        let killer = try await PostgresConnection.connect(url, on: loop)
        defer { killer.close() }
        _ = try await killer.query("SELECT pg_terminate_backend($1::int)", [.int(pid)])
        let deadline = ContinuousClock.now.advanced(by: .seconds(10))
        while connection.isUsable {
            guard ContinuousClock.now < deadline else { throw BrokenSessionNotNoticed() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    struct BrokenSessionNotNoticed: Error {}
}
