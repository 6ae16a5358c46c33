import Foundation
import IOCore
import Postgres
import Testing

@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct PostgresPoolTests {
    static func configuration(_ adjust: (inout PostgresPool.Configuration) -> Void = { _ in }) -> PostgresPool.Configuration {
        var configuration = PostgresPool.Configuration(conninfo: testDatabaseURL ?? "")
        configuration.minConnections = 0
        configuration.maxConnections = 2
        adjust(&configuration)
        return configuration
    }

    @Test func aReleasedConnectionIsReused() async throws {
        let configuration = Self.configuration()
        let (first, second, opened) = try await onLoop { loop in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let first = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            let second = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            return (first, second, pool.figures.opened)
        }
        #expect(first != nil && first == second)
        #expect(opened == 1)
    }

    @Test func whenFullAndNoWaitingIsAllowedAcquireFailsAtOnce() async throws {
        let configuration = Self.configuration { $0.maxConnections = 2; $0.maxWaiters = 0 }
        let outcome = try await onLoop { loop -> (PostgresPool.PoolError?, Int) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let a = try await pool.acquire()
            let b = try await pool.acquire()
            var refused: PostgresPool.PoolError?
            do { _ = try await pool.acquire() } catch let error as PostgresPool.PoolError { refused = error }
            pool.release(a)
            pool.release(b)
            return (refused, pool.figures.exhausted)
        }
        #expect(outcome.0 == .exhausted)
        #expect(outcome.1 == 1)
    }

    @Test func aWaiterTimesOutWithExhausted() async throws {
        let configuration = Self.configuration { $0.maxConnections = 1; $0.maxWaiters = 4; $0.acquireTimeout = .milliseconds(100) }
        let refused = try await onLoop { loop -> PostgresPool.PoolError? in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let held = try await pool.acquire()
            defer { pool.release(held) }
            do {
                _ = try await pool.acquire()
                return nil
            } catch let error as PostgresPool.PoolError {
                return error
            }
        }
        #expect(refused == .exhausted)
    }

    @Test func aWaiterGetsTheConnectionAnotherCallerReleases() async throws {
        let configuration = Self.configuration { $0.maxConnections = 1; $0.acquireTimeout = .seconds(10) }
        let answers = try await onLoop { loop in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            return try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<20 {
                    group.addTask(executorPreference: loop) {
                        try await pool.withConnection { try await $0.query("SELECT $1::int", [.int(index)])[0].int(0) ?? -1 }
                    }
                }
                var answers: [Int] = []
                for try await answer in group { answers.append(answer) }
                return answers.sorted()
            }
        }
        #expect(answers == Array(0..<20))
    }

    @Test func aBrokenConnectionIsReplaced() async throws {
        let configuration = Self.configuration { $0.maxConnections = 1 }
        let (before, after) = try await onLoop { loop -> (Int?, Int?) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let before = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            // Another session kills ours: the pool must notice and open a new one.
            let killer = try await PostgresConnection.connect(configuration.conninfo, on: loop)
            defer { killer.close() }
            _ = try await killer.query("SELECT pg_terminate_backend($1::int)", [.int(before ?? 0)])
            _ = try? await pool.withConnection { try await $0.query("SELECT 1") }  // finds it broken
            let after = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            return (before, after)
        }
        #expect(before != nil && after != nil && before != after)
    }

    @Test func idleConnectionsAboveTheMinimumAreClosed() async throws {
        let configuration = Self.configuration { $0.minConnections = 1; $0.maxConnections = 3; $0.idleTimeout = .milliseconds(50) }
        let (peak, settled) = try await onLoop { loop -> (Int, Int) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let held = [try await pool.acquire(), try await pool.acquire(), try await pool.acquire()]
            let peak = pool.figures.open
            for connection in held { pool.release(connection) }
            // Bounded wait for the reaper (it runs every idleTimeout / 2).
            let deadline = ContinuousClock.now.advanced(by: .seconds(5))
            while pool.figures.open > 1 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            return (peak, pool.figures.open)
        }
        #expect(peak == 3)
        #expect(settled == 1)
    }

    @Test func connectionsOpenWithTheirStatementsPreparedAndSessionSettingsApplied() async throws {
        let configuration = Self.configuration {
            $0.statements = [PreparedStatement("double", "SELECT $1::int * 2")]
            $0.sessionSettings = ["statement_timeout = 50"]
        }
        let (doubled, timeout, slow) = try await onLoop { loop -> (Int?, String?, String?) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            return try await pool.withConnection { connection in
                let doubled = try await connection.execute("double", [21])[0].int(0)
                let timeout = try await connection.query("SHOW statement_timeout")[0].string(0)
                var slow: String?
                do { _ = try await connection.query("SELECT pg_sleep(2)") } catch let error as PostgresError { slow = error.sqlState }
                return (doubled, timeout, slow)
            }
        }
        #expect(doubled == 42)
        #expect(timeout == "50ms")
        #expect(slow == "57014")  // query_canceled by statement_timeout
    }

    @Test func aConnectionReleasedInsideATransactionIsNotReused() async throws {
        let configuration = Self.configuration { $0.maxConnections = 1 }
        let (first, second) = try await onLoop { loop -> (Int?, Int?) in
            let pool = PostgresPool(configuration: configuration, loop: loop)
            try await pool.start()
            defer { pool.close() }
            let first = try await pool.withConnection { connection in
                _ = try await connection.query("BEGIN")
                return try await connection.query("SELECT pg_backend_pid()")[0].int(0)
            }
            let second = try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            return (first, second)
        }
        #expect(first != nil && second != nil && first != second)
    }
}
