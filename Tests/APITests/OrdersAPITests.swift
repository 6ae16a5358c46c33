import Foundation
import Auth
import GroupBuyTesting
import Orders
import Postgres
import Testing

/// Starting and joining groups, reading and cancelling orders, and every rule of issue 4
/// item 2, over TCP against real PostgreSQL.
@Suite(.serialized)
struct OrdersAPITests {
    @Test func startJoinReadAndCancel() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 3, "perUserLimit": 3, "stock": 10, "groupPrice": 1_500])
            let dealID = deal["id"] as! Int
            let (leader, friend) = ("leader-\(UUID())", "friend-\(UUID())")

            let started = try await server.startGroup(dealID: dealID, quantity: 2, user: leader)
            #expect(started.status == 201, "\(started.body)")
            let groupID = started.group["id"] as! Int
            #expect(started.group["members"] as? Int == 1 && started.group["size"] as? Int == 3 && started.group["status"] as? String == "open")
            #expect(started.order["status"] as? String == "pending_payment")
            #expect(started.order["amount"] as? Int == 3_000 && started.order["quantity"] as? Int == 2)

            let joined = try await server.joinGroup(groupID, quantity: 1, user: friend)
            #expect(joined.status == 201, "\(joined.body)")
            #expect(joined.group["members"] as? Int == 2 && joined.group["seatsLeft"] as? Int == 1)
            let friendOrder = joined.order["id"] as! Int

            let group = try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)")
            #expect(group.status == 200 && group.json["members"] as? Int == 2)
            let open = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(dealID)/groups?status=open")
            #expect((open.json["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [groupID])

            let stock = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            #expect(stock.json["available"] as? Int == 7 && stock.json["reserved"] as? Int == 3)

            // Only the owner (or an admin) sees an order; others get the 404 of a missing one.
            let own = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(friendOrder)", bearer: try server.token(.buyer, user: friend))
            #expect(own.status == 200 && own.json["userId"] as? String == friend)
            let other = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(friendOrder)", bearer: try server.token(.buyer, user: leader))
            #expect(other.status == 404 && other.problemType == "not-found")
            let admin = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(friendOrder)", bearer: try server.token(.admin))
            #expect(admin.status == 200)
            let anonymous = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(friendOrder)")
            #expect(anonymous.status == 401)

            // Someone else cannot cancel it; the owner can, once: stock and seat come back.
            let foreignCancel = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/orders/\(friendOrder)/cancel", bearer: try server.token(.buyer, user: leader)
            )
            #expect(foreignCancel.status == 404)
            let cancelled = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/orders/\(friendOrder)/cancel", bearer: try server.token(.buyer, user: friend)
            )
            #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "cancelled", "\(cancelled.body)")
            let again = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/orders/\(friendOrder)/cancel", bearer: try server.token(.buyer, user: friend)
            )
            #expect(again.status == 409 && again.problemType == "order-state")
            let after = try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)")
            #expect(after.json["members"] as? Int == 1)
            let stockAfter = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            #expect(stockAfter.json["available"] as? Int == 8 && stockAfter.json["reserved"] as? Int == 2)

            // The freed seat can be taken again by the same friend.
            let rejoined = try await server.joinGroup(groupID, quantity: 1, user: friend)
            #expect(rejoined.status == 201, "\(rejoined.body)")
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
        }
    }

    @Test func ownOrdersArePagedNewestFirst() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["perUserLimit": 10, "stock": 20])
            let dealID = deal["id"] as! Int
            let buyer = "pager-\(UUID())"
            var ids: [Int] = []
            for _ in 0..<3 { ids.append(try await server.startGroup(dealID: dealID, user: buyer).order["id"] as! Int) }
            _ = try await server.startGroup(dealID: dealID, user: "someone-else-\(UUID())")

            var seen: [Int] = []
            var cursor: String?
            repeat {
                let url = server.baseURL + "/v1/orders?limit=2" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await LiveHTTP.request("GET", url, bearer: try server.token(.buyer, user: buyer))
                #expect(page.status == 200)
                seen += (page.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == ids.reversed())
        }
    }

    @Test func everyRuleHasItsOwnProblem() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 2, "perUserLimit": 2, "stock": 3])
            let dealID = deal["id"] as! Int
            let (alice, bob, carol) = ("alice-\(UUID())", "bob-\(UUID())", "carol-\(UUID())")

            let started = try await server.startGroup(dealID: dealID, quantity: 1, user: alice)
            let groupID = started.group["id"] as! Int

            // A user at most once per group.
            let twice = try await server.joinGroup(groupID, user: alice)
            #expect(twice.status == 409 && twice.problemType == "already-in-group", "\(twice.body)")
            // The per-user limit counts open orders across groups.
            let overLimit = try await server.startGroup(dealID: dealID, quantity: 2, user: alice)
            #expect(overLimit.status == 409 && overLimit.problemType == "purchase-limit-exceeded", "\(overLimit.body)")
            let aboveDealLimit = try await server.startGroup(dealID: dealID, quantity: 3, user: carol)
            #expect(aboveDealLimit.status == 409 && aboveDealLimit.problemType == "purchase-limit-exceeded")
            // A group never has more members than its size.
            #expect(try await server.joinGroup(groupID, user: bob).status == 201)
            let full = try await server.joinGroup(groupID, user: carol)
            #expect(full.status == 409 && full.problemType == "group-full", "\(full.body)")
            // Sold out: 2 of 3 units are reserved.
            let soldOut = try await server.startGroup(dealID: dealID, quantity: 2, user: carol)
            #expect(soldOut.status == 409 && soldOut.problemType == "sold-out", "\(soldOut.body)")
            // Unknown group and deal.
            let noGroup = try await server.joinGroup(999_999_999, user: carol)
            #expect(noGroup.status == 404 && noGroup.problemType == "not-found")
            let noDeal = try await server.startGroup(dealID: 999_999_999, user: carol)
            #expect(noDeal.status == 404)

            // A group past its time limit cannot be joined; once failed, it is not open.
            let second = try await server.startGroup(dealID: dealID, quantity: 1, user: carol)
            let secondID = second.group["id"] as! Int
            _ = try await server.sql("UPDATE groups SET expires_at = now() - interval '1 second' WHERE id = $1", [.int(secondID)])
            let expired = try await server.joinGroup(secondID, user: bob)
            #expect(expired.status == 409 && expired.problemType == "group-expired", "\(expired.body)")
            _ = try await server.sweep(.failGroups)
            let failed = try await server.joinGroup(secondID, user: "dave-\(UUID())")
            #expect(failed.status == 409 && failed.problemType == "group-not-open", "\(failed.body)")
            let carolOrder = try await LiveHTTP.request(
                "GET", server.baseURL + "/v1/orders/\(second.order["id"] as! Int)", bearer: try server.token(.buyer, user: carol)
            )
            #expect(carolOrder.json["status"] as? String == "expired")

            // Deals that are paused, not started or ended take no orders; drafts do not exist for buyers.
            let paused = try await server.createDeal(["status": "paused"])
            let notActive = try await server.startGroup(dealID: paused["id"] as! Int, user: carol)
            #expect(notActive.status == 409 && notActive.problemType == "deal-not-active", "\(notActive.body)")
            let future = try await server.createDeal(["startsAt": "2029-01-01T00:00:00Z"])
            let notStarted = try await server.startGroup(dealID: future["id"] as! Int, user: carol)
            #expect(notStarted.status == 409 && notStarted.problemType == "deal-not-active")
            let draft = try await server.createDeal(["status": "draft"])
            #expect(try await server.startGroup(dealID: draft["id"] as! Int, user: carol).status == 404)
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
        }
    }

    @Test func badInputIsRefusedWithProblems() async throws {
        try await withAPIServer { server in
            let buyer = try server.token(.buyer)
            let cases: [(String, [String])] = [
                (#"{"dealId":1,"quantity":0}"#, ["quantity"]),
                (#"{"dealId":1,"quantity":1001}"#, ["quantity"]),
                (#"{"dealId":"1"}"#, ["dealId"]),
                (#"{"quantity":1}"#, ["dealId"]),
                (#"{"dealId":0,"quantity":1,"colour":"red"}"#, ["colour", "dealId"]),
            ]
            for (body, fields) in cases {
                let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/groups", body: body, bearer: buyer)
                #expect(result.status == 422, "\(body)")
                #expect(Set(result.invalidFields) == Set(fields), "\(body): \(result.body)")
            }
            let noToken = try await LiveHTTP.request("POST", server.baseURL + "/v1/groups", body: #"{"dealId":1}"#)
            #expect(noToken.status == 401)
            let notJSON = try await LiveHTTP.request("POST", server.baseURL + "/v1/groups", body: "{", bearer: buyer)
            #expect(notJSON.status == 400)
            let badKey = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/groups", headers: ["Idempotency-Key": String(repeating: "k", count: 256)],
                body: #"{"dealId":1}"#, bearer: buyer
            )
            #expect(badKey.status == 400 && badKey.problemType == "bad-idempotency-key")
            let badStatus = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/1/groups?status=closed")
            #expect(badStatus.status == 422)
        }
    }

    /// Orders and groups change state only along the diagram, whoever writes: a direct UPDATE
    /// from a wrong state is refused by the database and changes nothing.
    @Test func theDatabaseEnforcesTheStateMachines() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal()
            let started = try await server.startGroup(dealID: deal["id"] as! Int, user: "machine-\(UUID())")
            let orderID = started.order["id"] as! Int
            let groupID = started.group["id"] as! Int
            await #expect(throws: (any Error).self) {
                _ = try await server.sql("UPDATE orders SET status = 'confirmed' WHERE id = $1", [.int(orderID)])
            }
            await #expect(throws: (any Error).self) {
                _ = try await server.sql("UPDATE orders SET status = 'refunded' WHERE id = $1", [.int(orderID)])
            }
            _ = try await server.sql("UPDATE groups SET status = 'succeeded', closed_at = now() WHERE id = $1", [.int(groupID)])
            await #expect(throws: (any Error).self) {
                _ = try await server.sql("UPDATE groups SET status = 'open', closed_at = NULL WHERE id = $1", [.int(groupID)])
            }
            await #expect(throws: (any Error).self) {
                _ = try await server.sql("UPDATE groups SET status = 'failed' WHERE id = $1", [.int(groupID)])
            }
            #expect(try await server.sql("SELECT status FROM groups WHERE id = $1", [.int(groupID)]) == [["succeeded"]])
            let rows = try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(orderID)])
            #expect(rows == [["pending_payment"]])
        }
    }

    @Test func unpaidOrdersExpireAndGiveBackStockAndSeat() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 2, "stock": 5])
            let dealID = deal["id"] as! Int
            let started = try await server.startGroup(dealID: dealID, quantity: 2, user: "late-\(UUID())")
            let orderID = started.order["id"] as! Int
            // Not yet due: the sweep leaves it.
            _ = try await server.sweep(.expireOrders)
            #expect(try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(orderID)]) == [["pending_payment"]])
            _ = try await server.sql("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1", [.int(orderID)])
            #expect(try await server.sweep(.expireOrders) >= 1)
            #expect(try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(orderID)]) == [["expired"]])
            let group = try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(started.group["id"] as! Int)")
            #expect(group.json["members"] as? Int == 0)
            let stock = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            #expect(stock.json["available"] as? Int == 5 && stock.json["reserved"] as? Int == 0)
            let history = try await server.sql("SELECT from_status, to_status, actor FROM order_history WHERE order_id = $1 ORDER BY at", [.int(orderID)])
            #expect(history == [[nil, "pending_payment", history[0][2]], ["pending_payment", "expired", "system:expiry"]])
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
        }
    }

    @Test func theInventoryCheckCatchesABrokenDatabase() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["stock": 10])
            let dealID = deal["id"] as! Int
            _ = try await server.startGroup(dealID: dealID, quantity: 1, user: "check-\(UUID())")
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
            // A unit appears from nowhere in one slot.
            _ = try await server.sql("UPDATE deal_stock_slots SET available = available + 1 WHERE deal_id = $1 AND slot = 0", [.int(dealID)])
            let broken = try await server.inventoryCheck(dealID: dealID)
            #expect(broken["healthy"] as? Bool == false)
            let violations = broken["violations"] as? [[String: Any]] ?? []
            #expect(violations.map { $0["dealId"] as? Int } == [dealID])
            #expect((violations.first?["problems"] as? [String])?.first?.contains("not the total 10") == true, "\(violations)")
            // Reserved units without an order behind them.
            _ = try await server.sql(
                "UPDATE deal_stock_slots SET available = available - 2, reserved = reserved + 1 WHERE deal_id = $1 AND slot = 0", [.int(dealID)]
            )
            let disagree = try await server.inventoryCheck(dealID: dealID)
            let problems = (disagree["violations"] as? [[String: Any]])?.first?["problems"] as? [String] ?? []
            #expect(problems.contains { $0.contains("reservation rows") } && problems.contains { $0.contains("orders hold") }, "\(problems)")
        }
    }
}
