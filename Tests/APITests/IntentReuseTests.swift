import Auth
import Foundation
import GroupBuyTesting
import HTTPClient
import IOCore
import PSPClient
import PSPWire
import Postgres
import Testing

/// Issue 12 item 9: a provider's answer never wedges a payment. An intent id that already
/// belongs to another payment (a sandbox restarted from its seed handed out old ids) is a
/// clear 502 and leaves the payment ready for the next try, which asks with a fresh key; and
/// the sandbox itself no longer reuses ids across restarts or resets against a kept database.
@Suite(.serialized)
struct IntentReuseTests {
    @Test func anIntentIdOfAnotherPaymentIsRefusedAndTheNextTryGetsAFreshOne() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2])
            let (_, other, _) = try await WebhookMoneyTests.unpaidOrder(world, deal: deal["id"] as! Int)
            let buyer = "reuse-\(UUID())"
            let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
            let pay = { try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer)) }
            let first = try await pay()
            let payment = try #require(first.json["id"] as? Int)
            let reused = try #require(first.json["intentId"] as? String)
            // The provider will answer this payment's key with an id that, by then, is another
            // payment's: as a sandbox restarted from its seed answers an id it gave out before.
            _ = try await server.sql("UPDATE payments SET intent_id = NULL, status = 'creating' WHERE id = $1", [.int(payment)])
            _ = try await server.sql("UPDATE payments SET intent_id = $1 WHERE id = $2", [.text(reused), .int(other)])

            let refused = try await pay()
            #expect(refused.status == 502 && refused.problemType == "payment-provider-refused", "\(refused.body)")
            #expect((refused.json["detail"] as? String)?.contains(reused) == true, "\(refused.body)")
            // Nothing linked, and counted: the next try asks the provider with a fresh key.
            #expect(
                try await server.sql("SELECT status, intent_id, intent_attempts FROM payments WHERE id = $1", [.int(payment)]) == [["creating", nil, "1"]]
            )
            #expect(try await server.sql("SELECT intent_id FROM payments WHERE id = $1", [.int(other)]) == [[reused]])

            let retried = try await pay()
            #expect(retried.status == 201, "\(retried.body)")
            let fresh = try #require(retried.json["intentId"] as? String)
            #expect(fresh != reused)
            #expect(try await world.client.intent(id: fresh).metadata["payment_id"] == String(payment))
            _ = try await world.client.confirm(intentID: fresh, paymentMethod: PaymentMethod.cardOK)
            try await world.eventually("the order to be paid") { try await world.orderStatus(order) == "paid" }
        }
    }

    /// The real executable, stopped and started again with the same seed (and reset), in front
    /// of a database that keeps every intent id it handed out: every payment still goes through.
    @Test func aSandboxRestartedWithItsSeedKeepsPaymentsGoing() async throws {
        let database = try await ScratchDatabase.create(prefix: "groupbuy_reuse", adminURL: try #require(testDatabaseURL))
        let provider = LateBoundProvider()
        let server = try await APITestServer.start(databaseURL: database.url, provider: provider)
        let clients = HTTPClients(loops: server.group.loops)
        do {
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            var intents: Set<String> = []
            for _ in 0..<2 {
                let sandbox = try await SandboxProcess.start([
                    "--api-key", PaymentWorld.apiKey, "--webhook-url", server.baseURL + "/v1/webhooks/psp",
                    "--webhook-secret", APITestServer.webhookSecret, "--seed", "42",
                ])
                let client = PSPClient(
                    configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(sandbox.port)", apiKey: PaymentWorld.apiKey), clients: clients
                )
                provider.bind(client)
                for round in 0..<2 {
                    if round == 1 {
                        #expect(try await LiveHTTP.request("POST", "http://127.0.0.1:\(sandbox.port)/_sandbox/reset").status == 200)
                    }
                    let buyer = "restart-\(UUID())"
                    let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
                    let paid = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer))
                    #expect(paid.status == 201, "\(paid.body)")
                    let intent = try #require(paid.json["intentId"] as? String)
                    #expect(intents.insert(intent).inserted, "\(intent) was handed out before")
                    _ = try await client.confirm(intentID: intent, paymentMethod: PaymentMethod.cardOK)
                    try await waitUntil("order \(order) to be paid", within: 20) {
                        try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(order)]) == [["paid"]]
                    }
                }
                #expect(try await sandbox.terminate() == 0)
            }
        } catch {
            await clients.closeIdleConnections()
            try? await server.stop()
            try? await database.drop()
            throw error
        }
        await clients.closeIdleConnections()
        try await server.stop()
        try await database.drop()
    }
}
