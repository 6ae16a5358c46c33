import Auth
import Foundation
import GroupBuyTesting
import IOCore
import PSPClient
import PSPWire
import Payments
import Postgres
import Testing

/// A pay call that stopped between the provider's answer and recording it (PostgreSQL went
/// away, the process died, the buyer gave up after a 503) leaves the provider with an intent
/// we do not know. The intent recovery job asks the provider again under the same key and
/// records the intent it made, so reconciliation agrees again and the buyer can pay.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct IntentRecoveryTests {
    /// The state such a pay call leaves: our payment `creating`, and at the provider the intent
    /// `pay` asked for (same amount, currency, metadata and key), which we never recorded.
    static func payStoppedHalfway(_ world: PaymentWorld, buyer: String) async throws -> (order: Int, payment: Int, intent: String) {
        let server = world.server
        let deal = try await server.createDeal(["listPrice": 2_000, "groupPrice": 1_500])
        let order = try #require(try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as? Int)
        let payment = try #require(Int(try await server.sql("SELECT (payment).id FROM gb_begin_payment($1, $2)", [.int(order), .text(buyer)])[0][0] ?? ""))
        let intent = try await world.client.createIntent(
            amount: 1_500, currency: "EUR", metadata: ["payment_id": String(payment), "order_id": String(order)], idempotencyKey: "payment-\(payment)"
        )
        return (order, payment, intent.id)
    }

    static func recover(_ world: PaymentWorld, graceSeconds: Int = 60) async throws -> Int {
        let server = world.server
        var settings = IntentRecovery.Settings()
        settings.graceSeconds = graceSeconds
        let recovery = IntentRecovery(settings: settings, payments: PaymentsService(pools: server.pools, provider: world.provider), provider: world.provider)
        let pool = server.pools.pool(for: server.group.loops[0])
        return try await Task(executorPreference: server.group.loops[0]) { try await recovery.runBatch(pool: pool) }.value
    }

    static func reconcile(_ world: PaymentWorld) async throws -> HTTPResult {
        try await LiveHTTP.request(
            "GET", world.server.baseURL + "/v1/admin/payments/reconcile?since=\(world.startedAt)", bearer: try world.server.token(.admin)
        )
    }

    @Test func aPaymentLeftWithoutItsIntentGetsTheIntentTheProviderMade() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let buyer = "halfway-\(UUID().uuidString.prefix(8))"
            let (order, payment, intent) = try await Self.payStoppedHalfway(world, buyer: buyer)
            // The broken state this job exists for: reconciliation sees an intent we do not know.
            #expect(try await Self.reconcile(world).json["healthy"] as? Bool == false)

            _ = try await server.sql("UPDATE payments SET updated_at = now() - interval '2 minutes' WHERE id = $1", [.int(payment)])
            #expect(try await Self.recover(world) >= 1)
            #expect(try await server.sql("SELECT intent_id, status FROM payments WHERE id = $1", [.int(payment)]) == [[intent, "requires_confirmation"]])
            let reconciled = try await Self.reconcile(world)
            #expect(reconciled.json["healthy"] as? Bool == true, "\(reconciled.body)")
            // The buyer's next pay answers that same intent, and paying it pays the order.
            let (paid, confirmed) = try await world.pay(orderID: order, user: buyer)
            #expect(paid.status == 201 && paid.json["intentId"] as? String == intent, "\(paid.body)")
            #expect(confirmed.status == 200, "\(confirmed.body)")
            try await world.eventually("the order to be paid") { try await world.orderStatus(order) == "paid" }
        }
    }

    @Test func aPayCallStillWithinTheGracePeriodIsLeftToFinish() async throws {
        try await PaymentWorld.with { world in
            let (_, payment, _) = try await Self.payStoppedHalfway(world, buyer: "recent-\(UUID().uuidString.prefix(8))")
            _ = try await Self.recover(world, graceSeconds: 600)
            #expect(try await world.server.sql("SELECT intent_id, status FROM payments WHERE id = $1", [.int(payment)]) == [[nil, "creating"]])
        }
    }

    @Test func aPaymentTheProviderNeverHeardOfGetsAnIntentToo() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let buyer = "unsent-\(UUID().uuidString.prefix(8))"
            let deal = try await server.createDeal()
            let order = try #require(try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as? Int)
            // The pay call died before it reached the provider.
            let payment = try #require(Int(try await server.sql("SELECT (payment).id FROM gb_begin_payment($1, $2)", [.int(order), .text(buyer)])[0][0] ?? ""))
            _ = try await server.sql("UPDATE payments SET updated_at = now() - interval '2 minutes' WHERE id = $1", [.int(payment)])
            #expect(try await Self.recover(world) >= 1)
            let recorded = try await server.sql("SELECT intent_id FROM payments WHERE id = $1", [.int(payment)])
            let intent = try #require(recorded.first?.first ?? nil)
            #expect(try await world.client.intent(id: intent).metadata["payment_id"] == String(payment))
            #expect(try await Self.reconcile(world).json["healthy"] as? Bool == true)
        }
    }
}
