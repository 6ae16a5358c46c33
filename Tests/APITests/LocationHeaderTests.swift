import Auth
import Foundation
import GroupBuyTesting
import Testing

/// Every 201 names what it made in `Location`, a URI a GET answers: the group for a start,
/// the order for a join, the order holding the payment for a pay; a replay with the same
/// Idempotency-Key names the same one.
@Suite(.serialized, .enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct LocationHeaderTests {
    @Test func startingAndJoiningAGroupNameWhatTheyMade() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 3, "stock": 10])
            let dealID = try #require(deal["id"] as? Int)
            let (leader, friend) = ("lead-\(UUID())", "friend-\(UUID())")
            let key = "start-\(UUID())"
            let started = try await server.startGroup(dealID: dealID, user: leader, key: key)
            #expect(started.status == 201)
            let groupID = try #require(started.group["id"] as? Int)
            #expect(started.headers["location"] == "/v1/groups/\(groupID)")
            let group = try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)", bearer: try server.token(.buyer, user: leader))
            #expect(group.status == 200 && group.json["id"] as? Int == groupID)

            let replayed = try await server.startGroup(dealID: dealID, user: leader, key: key)
            #expect(replayed.status == 201 && replayed.headers["location"] == started.headers["location"])

            let joined = try await server.joinGroup(groupID, user: friend)
            #expect(joined.status == 201)
            let orderID = try #require(joined.order["id"] as? Int)
            #expect(joined.headers["location"] == "/v1/orders/\(orderID)")
            let order = try await LiveHTTP.request("GET", server.baseURL + (joined.headers["location"] ?? "-"), bearer: try server.token(.buyer, user: friend))
            #expect(order.status == 200 && order.json["id"] as? Int == orderID)

            // Refusals create nothing and name nothing.
            let again = try await server.joinGroup(groupID, user: friend)
            #expect(again.status == 409 && again.headers["location"] == nil)
        }
    }

    @Test func payingNamesTheOrderThatShowsThePayment() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2])
            let buyer = "payer-\(UUID())"
            let orderID = try #require(try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as? Int)
            let paid = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(orderID)/pay", bearer: try server.token(.buyer, user: buyer))
            #expect(paid.status == 201 && paid.headers["location"] == "/v1/orders/\(orderID)", "\(paid.headers)")
            let order = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(orderID)", bearer: try server.token(.buyer, user: buyer))
            #expect((order.json["payment"] as? [String: Any])?["id"] as? Int == paid.json["id"] as? Int)
        }
    }
}
