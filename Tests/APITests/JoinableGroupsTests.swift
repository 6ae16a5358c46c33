import Auth
import Foundation
import GroupBuyTesting
import Testing

/// Issue 12 item 6: `?status=open` lists only groups one can join. A full group waiting for
/// its members' payments is still `open` (shown with `seatsLeft: 0` by the other lists) but
/// is left out, and comes back when a seat frees.
@Suite(.serialized)
struct JoinableGroupsTests {
    @Test func aFullGroupWaitingForPaymentsIsNotListedAsOpen() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            let dealID = deal["id"] as! Int
            let full = try await server.startGroup(dealID: dealID, user: "a-\(UUID())").group["id"] as! Int
            let joiner = "b-\(UUID())"
            let joined = try await server.joinGroup(full, user: joiner)
            #expect(joined.group["seatsLeft"] as? Int == 0 && joined.group["status"] as? String == "open")
            let other = try await server.startGroup(dealID: dealID, user: "c-\(UUID())").group["id"] as! Int

            let ids = { (query: String) in
                (try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(dealID)/groups\(query)").json["items"] as? [[String: Any]] ?? [])
                    .compactMap { $0["id"] as? Int }
            }
            #expect(try await ids("?status=open") == [other])
            #expect(try await ids("") == [full, other])
            #expect(try await server.joinGroup(full, user: "d-\(UUID())").problemType == "group-full")

            let order = joined.order["id"] as! Int
            let cancelled = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/cancel", bearer: try server.token(.buyer, user: joiner))
            #expect(cancelled.status == 200)
            #expect(try await ids("?status=open") == [full, other])
        }
    }
}
