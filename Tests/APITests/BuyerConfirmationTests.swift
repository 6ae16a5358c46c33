import Auth
import Foundation
import GroupBuyTesting
import PSPWire
import Testing

/// The buyer pays as with a real provider: the pay answer carries the intent's client secret,
/// the buyer confirms at the provider with it (no API key), the webhook marks the order paid.
/// Another order's secret confirms nothing, and the secret is never kept in our database.
@Suite(.serialized, .enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct BuyerConfirmationTests {
    @Test func aBuyerConfirmsWithTheClientSecretAndTheOrderIsPaid() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            let (ana, ben) = ("ana-\(UUID())", "ben-\(UUID())")
            let started = try await server.startGroup(dealID: deal["id"] as! Int, user: ana)
            let anaOrder = try #require(started.order["id"] as? Int)
            let groupID = try #require(started.group["id"] as? Int)
            let benOrder = try #require(try await server.joinGroup(groupID, user: ben).order["id"] as? Int)
            let pay = { (order: Int, user: String) in
                try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: user))
            }
            let anaPayment = try await pay(anaOrder, ana)
            #expect(anaPayment.status == 201)
            let intent = try #require(anaPayment.json["intentId"] as? String)
            let secret = try #require(anaPayment.json["clientSecret"] as? String)
            #expect(secret.hasPrefix(intent + "_secret_"))
            #expect(try await pay(anaOrder, ana).json["clientSecret"] as? String == secret, "asking again gives the same secret")
            let benSecret = try #require(try await pay(benOrder, ben).json["clientSecret"] as? String)

            let confirm = { (secret: String) in
                try await LiveHTTP.request(
                    "POST", world.sandboxURL + "/v1/client/payment_intents/\(intent)/confirm",
                    headers: ["Origin": "https://shop.example"], body: #"{"client_secret":"\#(secret)","payment_method":"pm_card_ok"}"#
                )
            }
            let wrong = try await confirm(benSecret)
            #expect(wrong.status == 401, "\(wrong.body)")
            #expect(try await world.orderStatus(anaOrder) == "pending_payment")

            let confirmed = try await confirm(secret)
            #expect(confirmed.status == 200 && confirmed.json["status"] as? String == "succeeded", "\(confirmed.body)")
            #expect(confirmed.headers["access-control-allow-origin"] == "*")
            try await world.eventually("Ana's order to be paid") { try await world.orderStatus(anaOrder) == "paid" }
            #expect(try await world.orderStatus(benOrder) == "pending_payment")
            let stored = try await server.sql("SELECT count(*) FROM payment_events WHERE payload::text LIKE '%secret%'")
            #expect(stored == [["0"]])
        }
    }
}
