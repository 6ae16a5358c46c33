import Auth
import Foundation
import GroupBuyTesting
import Orders
import Postgres
import Testing

/// Idempotency-Key on creating POSTs: a retry gets the first answer and has no second
/// effect; the key with another body is refused; concurrent uses have one effect.
@Suite(.serialized)
struct IdempotencyTests {
    @Test func aRetryGetsTheFirstAnswerAndNoSecondOrder() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["perUserLimit": 5])
            let dealID = deal["id"] as! Int
            let buyer = "retry-\(UUID())"
            let first = try await server.startGroup(dealID: dealID, quantity: 1, user: buyer, key: "key-1")
            let second = try await server.startGroup(dealID: dealID, quantity: 1, user: buyer, key: "key-1")
            #expect(first.status == 201 && second.status == 201)
            #expect(second.body == first.body)
            #expect(try await orderCount(server, buyer) == 1)

            // The same key with a different body.
            let other = try await server.startGroup(dealID: dealID, quantity: 2, user: buyer, key: "key-1")
            #expect(other.status == 422 && other.problemType == "idempotency-key-reused", "\(other.body)")
            // Keys belong to their user: another user's identical key is theirs.
            let someoneElse = try await server.startGroup(dealID: dealID, quantity: 1, user: "other-\(UUID())", key: "key-1")
            #expect(someoneElse.status == 201 && someoneElse.body != first.body)
            // A refusal is not stored: after the reason goes away, the same key works.
            let refused = try await server.startGroup(dealID: dealID, quantity: 9, user: buyer, key: "key-2")
            #expect(refused.status == 409)
            #expect(try await server.startGroup(dealID: dealID, quantity: 1, user: buyer, key: "key-2").status == 201)
            #expect(try await orderCount(server, buyer) == 2)

            // An expired key is forgotten: the request runs again.
            _ = try await server.sql("UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE user_id = $1 AND key = 'key-1'", [.text(buyer)])
            let afterExpiry = try await server.startGroup(dealID: dealID, quantity: 1, user: buyer, key: "key-1")
            #expect(afterExpiry.status == 201 && afterExpiry.body != first.body)
            #expect(try await orderCount(server, buyer) == 3)
            #expect(try await server.sweep(.purgeIdempotencyKeys) >= 0)
        }
    }

    @Test func concurrentRequestsWithOneKeyHaveOneEffect() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["perUserLimit": 5])
            let dealID = deal["id"] as! Int
            let buyer = "storm-\(UUID())"
            let results = try await withThrowingTaskGroup(of: HTTPResult.self) { group in
                for _ in 0..<20 { group.addTask { try await server.startGroup(dealID: dealID, quantity: 1, user: buyer, key: "same") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = results.filter { $0.status == 201 }
            #expect(!created.isEmpty)
            #expect(Set(created.map(\.body)).count == 1)
            for result in results where result.status != 201 {
                #expect(result.status == 409 && result.problemType == "idempotency-key-in-progress", "\(result.status) \(result.body)")
            }
            #expect(try await orderCount(server, buyer) == 1)
        }
    }

    @Test func joinAndAdminRefundTakeKeysToo() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["perUserLimit": 5])
            let started = try await server.startGroup(dealID: deal["id"] as! Int, user: "lead-\(UUID())")
            let groupID = started.group["id"] as! Int
            let friend = "friend-\(UUID())"
            let token = try server.token(.buyer, user: friend)
            let join = { try await LiveHTTP.request("POST", server.baseURL + "/v1/groups/\(groupID)/join", headers: ["Idempotency-Key": "j"], bearer: token) }
            let first = try await join()
            let again = try await join()
            #expect(first.status == 201 && again.body == first.body)
            #expect(try await orderCount(server, friend) == 1)

            // Refunding an unpaid order is refused, and the refusal is not stored.
            let admin = try server.token(.admin)
            let orderID = first.order["id"] as! Int
            let refund = { try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/orders/\(orderID)/refund", headers: ["Idempotency-Key": "r"], bearer: admin) }
            #expect(try await refund().status == 409)
            #expect(try await server.sql("SELECT count(*) FROM idempotency_keys WHERE key = 'r'") == [["0"]])
        }
    }

    @Test func creatingADealTakesAKey() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin, user: "ops-\(UUID())")
            let body = dealBody(["title": "Keyed deal \(UUID())"])
            let create = { (body: String) in
                try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", headers: ["Idempotency-Key": "deal-1"], body: body, bearer: admin)
            }
            let first = try await create(body)
            let again = try await create(body)
            #expect(first.status == 201 && again.status == 201, "\(first.body)")
            #expect(again.body == first.body && again.headers["location"] == first.headers["location"] && again.headers["etag"] == first.headers["etag"])
            let title = first.json["title"] as! String
            #expect(try await server.sql("SELECT count(*) FROM deals WHERE title = $1", [.text(title)]) == [["1"]])
            let other = try await create(dealBody(["title": "Another \(UUID())"]))
            #expect(other.status == 422 && other.problemType == "idempotency-key-reused")
        }
    }

    private func orderCount(_ server: APITestServer, _ user: String) async throws -> Int {
        Int(try await server.sql("SELECT count(*) FROM orders WHERE user_id = $1", [.text(user)])[0][0] ?? "") ?? -1
    }
}
