import IOCore
import Postgres
import Testing

@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct PostgresPoolsTests {
    @Test func eachLoopBorrowsFromAPoolOfItsOwn() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        var configuration = PostgresPool.Configuration(conninfo: testDatabaseURL ?? "")
        configuration.minConnections = 1
        configuration.maxConnections = 1
        let pools = PostgresPools(configuration: configuration, loops: group.loops)
        try await pools.start()
        var backends: [Int?] = []
        for loop in group.loops {
            let pool = pools.pool(for: loop)
            #expect(pool.loop === loop)
            backends.append(try await Task(executorPreference: loop) {
                try await pool.withConnection { try await $0.query("SELECT pg_backend_pid()")[0].int(0) }
            }.value)
        }
        #expect(backends.allSatisfy { $0 != nil } && Set(backends).count == 2)
        #expect(pools.figures.map(\.open) == [1, 1])
        #expect(pools.all.map { $0.loop.index } == [0, 1])
        await pools.close()
        #expect(pools.figures.map(\.open) == [0, 0])
    }
}
