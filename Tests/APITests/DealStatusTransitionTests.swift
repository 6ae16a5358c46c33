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
            #expect(try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(dealID)").json["status"] as? String == "active")

            // Paused: no new orders, the live one still ends as usual; paused cannot go to draft either.
            #expect(try await Self.patch(server, dealID, #"{"status":"paused"}"#).status == 200)
            #expect(try await server.startGroup(dealID: dealID, user: "late-\(UUID())").problemType == "deal-not-active")
            #expect(try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(dealID)").status == 200)
            let fromPaused = try await Self.patch(server, dealID, #"{"status":"draft"}"#)
            #expect(fromPaused.status == 409 && fromPaused.problemType == "deal-status-transition", "\(fromPaused.body)")
            let cancelled = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try server.token(.buyer, user: buyer))
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

    /// A buyer still ordering when the change comes: whichever commits first wins, and never
    /// both. Held up before its order is written (on its quantity row), the buyer finds the deal
    /// a draft once it gets there and is refused; held up after (on the stock slots, its order
    /// already share-locking the deal), the change waits for it, sees the order and is refused.
    @Test(arguments: [false, true])
    func aBuyerStillOrderingAndAChangeBackToDraftNeverBothSucceed(holdingTheBuyerAfterItsOrder: Bool) async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["stock": 10])
            let dealID = deal["id"] as! Int
            let racer = "racer-\(UUID())"
            _ = try await server.sql("INSERT INTO user_deal_quantities (user_id, deal_id, quantity) VALUES ($1, $2, 0)", [.text(racer), .int(dealID)])
            let hold = holdingTheBuyerAfterItsOrder
                ? ("SELECT 1 FROM deal_stock_slots WHERE deal_id = $1 ORDER BY slot FOR UPDATE", [PostgresValue.int(dealID)])
                : ("SELECT 1 FROM user_deal_quantities WHERE user_id = $1 AND deal_id = $2 FOR UPDATE", [.text(racer), .int(dealID)])
            let url = try #require(testDatabaseURL)
            let loop = server.group.loops[0]
            let (placed, answer) = try await Task(executorPreference: loop) {
                let holder = try await PostgresConnection.connect(url, on: loop)
                let buyer = try await PostgresConnection.connect(url, on: loop)
                defer {
                    holder.close()
                    buyer.close()
                }
                _ = try await holder.simpleQuery("BEGIN")
                _ = try await holder.query(hold.0, hold.1)
                let placing = Task(executorPreference: loop) {
                    try await buyer.query(
                        "SELECT refusal FROM gb_order_in_group($1, $2, NULL, 1, 900, 'slots', NULL, NULL, 86400)", [.text(racer), .int(dealID)]
                    )
                }
                try await Self.waitForLockWaiter(server, running: "gb_order_in_group")
                let answered = AnswerBox()
                let change = Task { () -> HTTPResult in
                    defer { answered.done.withLock { $0 = true } }
                    return try await Self.patch(server, dealID, #"{"status":"draft"}"#)
                }
                try await Self.waitForLockWaiter(server, running: "UPDATE deals SET title", unless: answered)
                _ = try await holder.simpleQuery("COMMIT")
                return (try await placing.value[0].string(0), try await change.value)
            }.value
            let orders = try await server.sql("SELECT count(*) FROM orders WHERE deal_id = $1", [.int(dealID)])
            if holdingTheBuyerAfterItsOrder {
                #expect(placed == nil, "the buyer's order is made")
                #expect(answer.status == 409 && answer.problemType == "deal-status-transition", "\(answer.body)")
                #expect(orders == [["1"]])
            } else {
                #expect(placed == "GB001", "the buyer finds no orderable deal")
                #expect(answer.status == 200, "\(answer.body)")
                #expect(orders == [["0"]])
                #expect(try await server.sql("SELECT quantity FROM user_deal_quantities WHERE user_id = $1", [.text(racer)]) == [["0"]])
            }
        }
    }

    /// Waits until a statement containing `text` waits for a row lock (or `unless` is done).
    static func waitForLockWaiter(_ server: APITestServer, running text: String, unless answered: AnswerBox? = nil) async throws {
        try await waitUntil("\(text) to wait for a lock", within: 30) {
            if answered?.done.withLock({ $0 }) == true { return true }
            let waiting = try await server.sql(
                """
                SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
                  AND wait_event_type = 'Lock' AND position($1 IN query) > 0
                """,
                [.text(text)]
            )
            return waiting == [["1"]]
        }
    }

    static func patch(_ server: APITestServer, _ id: Int, _ body: String) async throws -> HTTPResult {
        try await LiveHTTP.request(
            "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "*"], body: body, bearer: try server.token(.admin)
        )
    }
}

/// Whether the change's answer has come.
final class AnswerBox: Sendable {
    let done = Mutex(false)
}
