import Auth
import Foundation
import GroupBuyTesting
import Postgres
import Testing

/// Issue 12 item 7: a business refusal is an answer, not a database error. The SQL functions
/// answer refusals instead of raising them, so PostgreSQL logs no ERROR for a sold-out buyer
/// (at load it logged one multi-line ERROR per refusal). Measured exactly, without reading the
/// log file: every ERROR that reaches the client ends its transaction in an error, which
/// PostgreSQL counts per database (`xact_rollback`, read with `DatabaseStatistics`).
@Suite(.serialized)
struct RefusalsAreAnswersTests {
    @Test func refusalsKeepTheirProblemsAndLeaveNoErrorInPostgreSQLsLog() async throws {
        let database = try await ScratchDatabase.create(prefix: "groupbuy_refusals", adminURL: try #require(testDatabaseURL))
        // A provider that cannot be reached: paying is refused before it would be asked.
        let server = try await APITestServer.start(databaseURL: database.url, loops: 1, provider: LateBoundProvider())
        do {
            let deal = try await server.createDeal(["groupSize": 2, "stock": 4, "perUserLimit": 2])["id"] as! Int
            let paused = try await server.createDeal(["status": "paused"])["id"] as! Int
            let (leader, friend, late) = ("leader-\(UUID())", "friend-\(UUID())", "late-\(UUID())")
            let group = try await server.startGroup(dealID: deal, quantity: 2, user: leader).group["id"] as! Int
            let order = try #require(try await server.joinGroup(group, user: friend).order["id"] as? Int)  // the group is full
            let other = try await server.startGroup(dealID: deal, quantity: 1, user: late, key: "refusal-key")  // one unit left
            let otherOrder = try #require(other.order["id"] as? Int, "\(other.body)")
            _ = try await server.sql("UPDATE orders SET expires_at = now() WHERE id = $1", [.int(otherOrder)])
            let before = try await DatabaseStatistics.read(server)

            let buyer = { (user: String) in try server.token(.buyer, user: user) }
            let refusals: [(String, HTTPResult, Int, String)] = [
                ("sold out", try await server.startGroup(dealID: deal, quantity: 2, user: "crowd-\(UUID())"), 409, "sold-out"),
                ("full", try await server.joinGroup(group, user: "crowd-\(UUID())"), 409, "group-full"),
                ("already in", try await server.joinGroup(other.group["id"] as? Int ?? 0, user: late), 409, "already-in-group"),
                ("over the limit", try await server.startGroup(dealID: deal, quantity: 3, user: late), 409, "purchase-limit-exceeded"),
                ("no such group", try await server.joinGroup(999_999_999, user: late), 404, "not-found"),
                ("paused deal", try await server.startGroup(dealID: paused, user: late), 409, "deal-not-active"),
                ("no such deal", try await server.startGroup(dealID: 999_999_999, user: late), 404, "not-found"),
                ("not yours", try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try buyer(late)), 404, "not-found"),
                ("window closed", try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(otherOrder)/pay", bearer: try buyer(late)), 409, "payment-window-closed"),
                ("paid twice", try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/orders/\(order)/refund", bearer: try server.token(.admin)), 409, "order-state"),
                ("key reused", try await server.startGroup(dealID: paused, user: late, key: "refusal-key"), 422, "idempotency-key-reused"),
            ]
            for (what, answer, status, problem) in refusals {
                #expect(answer.status == status && answer.problemType == problem, "\(what): \(answer.status) \(answer.body)")
            }
            let cancelled = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try buyer(friend))
            #expect(cancelled.status == 200)
            let again = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try buyer(friend))
            #expect(again.status == 409 && again.problemType == "order-state")

            let after = try await DatabaseStatistics.read(server)
            #expect(after.rollbacks == before.rollbacks, "\(after.rollbacks - before.rollbacks) transactions ended in an error")
            // The measure sees an error when there is one.
            await #expect(throws: (any Error).self) { _ = try await server.sql("SELECT 1 / 0") }
            #expect(try await DatabaseStatistics.read(server).rollbacks == after.rollbacks + 1)
        } catch {
            try? await server.stop()
            try? await database.drop()
            throw error
        }
        try await server.stop()
        try await database.drop()
    }
}
