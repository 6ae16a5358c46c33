import CHiredis
import CPostgres
import Foundation
import Testing

/// The test command (scripts/test.sh) starts a private PostgreSQL and Redis; these prove
/// they answer through the C libraries, so later suites can rely on them. They run when
/// the environment names the services (always under scripts/test.sh).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"] != nil))
struct TestServicesTests {
    @Test func privatePostgreSQLAnswersThroughLibpq() throws {
        let url = try #require(ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"])
        let connection = try #require(PQconnectdb(url))
        defer { PQfinish(connection) }
        #expect(PQstatus(connection) == CONNECTION_OK, "\(String(cString: PQerrorMessage(connection)))")
        let result = try #require(PQexec(connection, "SELECT current_database(), 6 * 7"))
        defer { PQclear(result) }
        #expect(PQresultStatus(result) == PGRES_TUPLES_OK)
        #expect(String(cString: PQgetvalue(result, 0, 0)) == "groupbuy_test")
        #expect(String(cString: PQgetvalue(result, 0, 1)) == "42")
    }

    @Test func privateRedisAnswersThroughHiredis() throws {
        let url = try #require(ProcessInfo.processInfo.environment["REDIS_URL"])
        let port = try #require(url.split(separator: ":").last.flatMap { Int32($0) })
        let context = try #require(redisConnect("127.0.0.1", port))
        defer { redisFree(context) }
        #expect(context.pointee.err == 0)
        let command = strdup("PING")
        defer { free(command) }
        var arguments: [UnsafePointer<CChar>?] = [UnsafePointer(command)]
        let reply = try #require(redisCommandArgv(context, 1, &arguments, nil))
        defer { freeReplyObject(reply) }
        let typed = reply.assumingMemoryBound(to: redisReply.self)
        #expect(String(cString: typed.pointee.str) == "PONG")
    }
}
