import Auth
import Foundation
import GroupBuyTesting
import IOCore
import Postgres
import Synchronization
import Testing

/// Issue 12 item 9: a status change never strands orders. A deal buyers have ordered cannot go
/// back to draft (409 `deal-status-transition`; drafts are hidden from buyers, who would get
/// 404 on the deal of their orders), even against a buyer whose order is still being made;
/// every other change between draft, active and paused is allowed and keeps orders alive.
@Suite(.serialized)
struct DealStatusTransitionTests {
    @Test func anOrderedDealCannotGoBackToDraftButCanPauseAndResume() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 3, "stock": 10])
            let dealID = deal["id"] as! Int
            let buyer = "status-\(UUID())"
            let started = try await server.startGroup(dealID: dealID, user: buyer)
            let order = started.order["id"] as! Int

            let draft = try await Self.patch(server, dealID, #"{"status":"draft"}"#)
            #expect(draft.status == 409 && draft.problemType == "deal-status-transition", "\(draft.body)")
            #expect((draft.json["detail"] as? String)?.contains("draft") == true)
            #expect(try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)").json["status"] as? String == "active")

            // Paused: no new orders, the live one still ends as usual; paused cannot go to draft either.
            #expect(try await Self.patch(server, dealID, #"{"status":"paused"}"#).status == 200)
            #expect(try await server.startGroup(dealID: dealID, user: "late-\(UUID())").problemType == "deal-not-active")
            #expect(try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)").status == 200)
            let fromPaused = try await Self.patch(server, dealID, #"{"status":"draft"}"#)
            #expect(fromPaused.status == 409 && fromPaused.problemType == "deal-status-transition", "\(fromPaused.body)")
            let cancelled = try await Curl.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try server.token(.buyer, user: buyer))
            #expect(cancelled.status == 200, "\(cancelled.body)")
            // An order that ended still belongs to the deal: still no draft.
            #expect(try await Self.patch(server, dealID, #"{"status":"draft"}"#).status == 409)

            #expect(try await Self.patch(server, dealID, #"{"status":"active"}"#).status == 200)
            #expect(try await server.startGroup(dealID: dealID, user: "again-\(UUID())").status == 201)
            // The database refuses it too, whoever writes.
            await #expect(throws: PostgresError.self) {
                _ = try await server.sql("UPDATE deals SET status = 'draft' WHERE id = $1", [.int(dealID)])
            }
        }
    }

    /// Without orders every change among draft, active and paused is allowed.
    @Test(arguments: ["draft", "active", "paused"])
    func aDealWithoutOrdersMovesFreely(from start: String) async throws {
        try await withAPIServer { server in
            for next in ["draft", "active", "paused"] where next != start {
                let deal = try await server.createDeal(["status": start])
                let changed = try await Self.patch(server, deal["id"] as! Int, #"{"status":"\#(next)"}"#)
                #expect(changed.status == 200 && changed.json["status"] as? String == next, "\(start) → \(next): \(changed.body)")
            }
        }
    }

    /// The change waits for a buyer whose order is being made (it read the deal as orderable)
    /// and then sees that order: a check before the write is not enough.
    @Test func aBuyerStillOrderingIsWaitedForAndTheChangeRefused() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["stock": 10])
            let dealID = deal["id"] as! Int
            let loop = server.group.loops[0]
            let answer = try await Task(executorPreference: loop) {
                let buyer = try await PostgresConnection.connect(try #require(testDatabaseURL), on: loop)
                defer { buyer.close() }
                // The buyer has read the deal as orderable (gb_open_deal, the first step of every
                // order) and has written nothing yet.
                _ = try await buyer.simpleQuery("BEGIN")
                _ = try await buyer.query("SELECT id FROM gb_open_deal($1)", [.int(dealID)])
                let answered = AnswerBox()
                let change = Task { () -> HTTPResult in
                    defer { answered.done.withLock { $0 = true } }
                    return try await Self.patch(server, dealID, #"{"status":"draft"}"#)
                }
                try await waitUntil("the change to wait for the buyer (or to answer)", within: 30) {
                    if answered.done.withLock({ $0 }) { return true }
                    let waiting = try await server.sql(
                        """
                        SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                          AND wait_event_type = 'Lock' AND query LIKE '%UPDATE deals SET title%'
                        """
                    )
                    return waiting == [["1"]]
                }
                let placed = try await buyer.query(
                    "SELECT refusal FROM gb_start_group($1, $2, 1, 900, 'slots', NULL, NULL, 86400)", [.text("racer-\(UUID())"), .int(dealID)]
                )
                #expect(placed[0].isNull(0), "the buyer's order is made: \(placed[0].string(0) ?? "")")
                _ = try await buyer.simpleQuery("COMMIT")
                return try await change.value
            }.value
            #expect(answer.status == 409 && answer.problemType == "deal-status-transition", "\(answer.body)")
            #expect(try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)").json["status"] as? String == "active")
        }
    }

    static func patch(_ server: APITestServer, _ id: Int, _ body: String) async throws -> HTTPResult {
        try await Curl.request(
            "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: body, bearer: try server.token(.admin)
        )
    }
}

/// Whether the change's answer has come.
final class AnswerBox: Sendable {
    let done = Mutex(false)
}
