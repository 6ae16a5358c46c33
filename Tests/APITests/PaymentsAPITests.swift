import Auth
import Foundation
import GroupBuyTesting
import Orders
import PSPClient
import PSPSandbox
import PSPWire
import Postgres
import Testing

/// Paying through a real psp-sandbox over HTTP, its signed webhooks back into the service,
/// refunds through the outbox, and reconciliation.
@Suite(.serialized)
struct PaymentsAPITests {
    @Test func aGroupSucceedsWhenEveryMemberHasPaid() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 3, "stock": 10, "groupPrice": 1_200])
            let dealID = deal["id"] as! Int
            let buyers = ["leader-\(UUID())", "friend1-\(UUID())", "friend2-\(UUID())"]
            let started = try await server.startGroup(dealID: dealID, quantity: 2, user: buyers[0])
            let groupID = started.group["id"] as! Int
            var orders = [started.order["id"] as! Int]
            for buyer in buyers.dropFirst() { orders.append(try await server.joinGroup(groupID, user: buyer).order["id"] as! Int) }

            for (order, buyer) in zip(orders, buyers) {
                let (payment, confirm) = try await world.pay(orderID: order, user: buyer)
                #expect(payment.status == 201, "\(payment.body)")
                #expect(confirm.status == 200 && confirm.json["status"] as? String == "succeeded", "\(confirm.body)")
            }
            try await world.eventually("the group to succeed") {
                try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)").json["status"] as? String == "succeeded"
            }
            for order in orders { #expect(try await world.orderStatus(order) == "confirmed") }
            let stock = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            #expect(stock.json["sold"] as? Int == 4 && stock.json["reserved"] as? Int == 0 && stock.json["available"] as? Int == 6)
            // Paying again is refused: the order is no longer unpaid.
            let again = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(orders[0])/pay", bearer: try server.token(.buyer, user: buyers[0]))
            #expect(again.status == 409 && again.problemType == "order-state")
            let inventory = try await server.inventoryCheck(dealID: dealID)
            #expect(inventory["healthy"] as? Bool == true, "\(inventory)")
            let reconcile = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/payments/reconcile?since=\(world.startedAt)", bearer: try server.token(.admin))
            #expect(reconcile.json["healthy"] as? Bool == true, "\(reconcile.body)")
        }
    }

    @Test func aGroupThatTimesOutIsRefundedAtTheProvider() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 3, "stock": 10])
            let dealID = deal["id"] as! Int
            let (leader, friend, unpaid) = ("leader-\(UUID())", "friend-\(UUID())", "slow-\(UUID())")
            let started = try await server.startGroup(dealID: dealID, user: leader)
            let groupID = started.group["id"] as! Int
            let paidOrders = [started.order["id"] as! Int, try await server.joinGroup(groupID, user: friend).order["id"] as! Int]
            let unpaidOrder = try await server.joinGroup(groupID, user: unpaid).order["id"] as! Int
            for (order, buyer) in zip(paidOrders, [leader, friend]) { _ = try await world.pay(orderID: order, user: buyer) }
            try await world.eventually("both payments to arrive") {
                let first = try await world.orderStatus(paidOrders[0])
                let second = try await world.orderStatus(paidOrders[1])
                return first == "paid" && second == "paid"
            }

            _ = try await server.sql("UPDATE groups SET expires_at = now() - interval '1 second' WHERE id = $1", [.int(groupID)])
            _ = try await server.sweep(.failGroups)
            #expect(try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)").json["status"] as? String == "failed")
            #expect(try await world.orderStatus(unpaidOrder) == "expired")
            for order in paidOrders { #expect(try await world.orderStatus(order) == "refund_pending") }
            // A second sweep changes nothing.
            _ = try await server.sweep(.failGroups)

            try await world.runOutbox()
            for order in paidOrders { #expect(try await world.refundJob(order: order) == ["done", "1"]) }
            try await world.eventually("the refunds to settle") {
                let first = try await world.orderStatus(paidOrders[0])
                let second = try await world.orderStatus(paidOrders[1])
                return first == "refunded" && second == "refunded"
            }
            let stats = try await LiveHTTP.request("GET", world.sandboxURL + "/_sandbox/stats").json
            let refunds = stats["refunds_by_intent"] as? [String: [String: Int]] ?? [:]
            #expect(refunds.count == 2 && refunds.values.allSatisfy { $0["count"] == 1 }, "\(stats)")
            try await world.runOutbox()
            for order in paidOrders { #expect(try await world.refundJob(order: order) == ["done", "1"]) }
            let stock = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            #expect(stock.json["available"] as? Int == 10)
            let inventory = try await server.inventoryCheck(dealID: dealID)
            #expect(inventory["healthy"] as? Bool == true, "\(inventory)")
            let reconcile = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/payments/reconcile?since=\(world.startedAt)", bearer: try server.token(.admin))
            #expect(reconcile.json["healthy"] as? Bool == true, "\(reconcile.body)")
        }
    }

    @Test func aDeclinedCardCanBeRetriedAndALatePaymentIsGivenBack() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            let buyer = "card-\(UUID())"
            let started = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer)
            let order = started.order["id"] as! Int
            let declined = try await world.pay(orderID: order, user: buyer, card: PaymentMethod.cardDeclined)
            #expect(declined.confirm.json["status"] as? String == "requires_payment_method", "\(declined.confirm.body)")
            try await world.eventually("the failure to be recorded") {
                try await server.sql("SELECT status FROM payments WHERE order_id = $1", [.int(order)]) == [["failed"]]
            }
            #expect(try await world.orderStatus(order) == "pending_payment")
            let retried = try await world.pay(orderID: order, user: buyer)
            #expect(retried.payment.json["intentId"] as? String == declined.payment.json["intentId"] as? String)
            try await world.eventually("the order to be paid") { try await world.orderStatus(order) == "paid" }

            // Another order's window closes before its money arrives: the money goes back.
            let late = try await server.startGroup(dealID: deal["id"] as! Int, user: "late-\(UUID())")
            let lateOrder = late.order["id"] as! Int
            let lateUser = late.order["userId"] as! String
            let payment = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(lateOrder)/pay", bearer: try server.token(.buyer, user: lateUser))
            _ = try await server.sql("UPDATE orders SET expires_at = now() - interval '1 second' WHERE id = $1", [.int(lateOrder)])
            let intent = payment.json["intentId"] as! String
            _ = try await world.client.confirm(intentID: intent, paymentMethod: PaymentMethod.cardOK)
            try await world.eventually("the late payment to be refunded") {
                let status = try await world.orderStatus(lateOrder)
                let refunds = try await server.sql("SELECT count(*) FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = $1", [.int(lateOrder)])
                return status == "expired" && refunds == [["1"]]
            }
            try await world.runOutbox()
            #expect(try await world.refundJob(order: lateOrder) == ["done", "1"])
            try await world.eventually("the refund to settle") {
                try await server.sql("SELECT status FROM payments WHERE order_id = $1", [.int(lateOrder)]) == [["refunded"]]
            }
        }
    }

    /// Duplicated, reordered and delayed deliveries each change state once.
    @Test func duplicatedReorderedAndDelayedWebhooksApplyOnce() async throws {
        var knobs = Knobs()
        knobs.duplicate = 2
        knobs.reorderBatch = 3
        knobs.webhookDelayMs = 50
        try await PaymentWorld.with(knobs: knobs) { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 3, "stock": 10])
            let buyers = ["a-\(UUID())", "b-\(UUID())", "c-\(UUID())"]
            let started = try await server.startGroup(dealID: deal["id"] as! Int, user: buyers[0])
            let groupID = started.group["id"] as! Int
            var orders = [started.order["id"] as! Int]
            for buyer in buyers.dropFirst() { orders.append(try await server.joinGroup(groupID, user: buyer).order["id"] as! Int) }
            for (order, buyer) in zip(orders, buyers) { _ = try await world.pay(orderID: order, user: buyer) }
            try await world.eventually("the group to succeed") {
                try await LiveHTTP.request("GET", server.baseURL + "/v1/groups/\(groupID)").json["status"] as? String == "succeeded"
            }
            // Every copy arrived: 3 events, each 3 times; applied once each, the rest recorded as duplicates.
            try await world.eventually("every copy to be delivered") {
                let events = try await LiveHTTP.request("GET", world.sandboxURL + "/_sandbox/events").json["data"] as? [[String: Any]] ?? []
                return events.count == 3 && events.allSatisfy { ($0["attempts"] as? [Any])?.count == 3 }
            }
            let ids = orders.map(String.init).joined(separator: ",")
            let applied = try await server.sql(
                "SELECT outcome, count(*) FROM payment_events e JOIN payments p ON p.id = e.payment_id WHERE p.order_id IN (\(ids)) GROUP BY outcome ORDER BY outcome"
            )
            #expect(applied == [["group_succeeded", "1"], ["order_paid", "2"]], "\(applied)")
            let history = try await server.sql("SELECT count(*) FROM order_history WHERE order_id IN (\(ids)) AND to_status = 'paid'")
            #expect(history == [["3"]])
        }
    }

    @Test func forgedStaleOrMalformedWebhooksChangeNothing() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2])
            let buyer = "forge-\(UUID())"
            let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
            let payment = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer))
            let paymentID = payment.json["id"] as! Int
            let intent = PaymentIntent(
                id: payment.json["intentId"] as! String, status: .succeeded, amount: payment.json["amount"] as! Int, currency: "EUR",
                metadata: ["payment_id": String(paymentID)], created: 0
            )
            let body = String(decoding: try PSPJSON.encode(PSPEvent(id: "evt_forged_\(UUID())", type: .paymentIntentSucceeded, created: 0, object: .paymentIntent(intent))), as: UTF8.self)
            let now = Int64(Date().timeIntervalSince1970)
            let post = { (signature: String, body: String) in
                try await LiveHTTP.request("POST", server.baseURL + "/v1/webhooks/psp", headers: ["PSP-Signature": signature], body: body)
            }
            let cases: [(String, String)] = [
                (WebhookSignature.sign(body: Array(body.utf8), secret: "whsec_wrong", timestamp: now), body),
                (WebhookSignature.sign(body: Array(body.utf8), secret: APITestServer.webhookSecret, timestamp: now - 3_600), body),
                (WebhookSignature.sign(body: Array(body.utf8), secret: APITestServer.webhookSecret, timestamp: now), body + " "),
                ("t=\(now)", body),
                ("", body),
            ]
            for (signature, sent) in cases {
                let answer = try await post(signature, sent)
                #expect(answer.status == 400 && answer.problemType == "bad-signature", "\(signature): \(answer.body)")
            }
            #expect(try await world.orderStatus(order) == "pending_payment")
            #expect(try await server.sql("SELECT count(*) FROM payment_events WHERE payment_id = $1", [.int(paymentID)]) == [["0"]])

            // Correctly signed: applied once; the same event again is a duplicate.
            let signed = WebhookSignature.sign(body: Array(body.utf8), secret: APITestServer.webhookSecret, timestamp: now)
            #expect(try await post(signed, body).json["outcome"] as? String == "order_paid")
            #expect(try await post(signed, body).json["outcome"] as? String == "duplicate")
            #expect(try await world.orderStatus(order) == "paid")
            // Signed but not an event: refused; a type we do not handle: taken and ignored.
            let junk = #"{"hello":1}"#
            #expect(try await post(WebhookSignature.sign(body: Array(junk.utf8), secret: APITestServer.webhookSecret, timestamp: now), junk).status == 400)
            let unknown = #"{"id":"evt_x","type":"customer.created","created":1,"data":{"object":{"object":"customer"}}}"#
            let ignored = try await post(WebhookSignature.sign(body: Array(unknown.utf8), secret: APITestServer.webhookSecret, timestamp: now), unknown)
            #expect(ignored.status == 200 && ignored.json["outcome"] as? String == "ignored")
        }
    }

    @Test func refundsAreRetriedWithBackoffWhenTheProviderFails() async throws {
        try await PaymentWorld.with { world in
            let server = world.server
            let deal = try await server.createDeal(["groupSize": 2, "stock": 5])
            let buyer = "retry-\(UUID())"
            let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
            _ = try await world.pay(orderID: order, user: buyer)
            try await world.eventually("the payment") { try await world.orderStatus(order) == "paid" }
            let refund = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/orders/\(order)/refund", bearer: try server.token(.admin))
            #expect(refund.status == 200 && refund.json["status"] as? String == "refund_pending", "\(refund.body)")
            let audit = try await server.sql("SELECT action FROM audit_log WHERE entity = 'order' AND entity_id = $1", [.text(String(order))])
            #expect(audit == [["order.refund"]])

            _ = try await LiveHTTP.request("POST", world.sandboxURL + "/_sandbox/config", body: #"{"fail_next":1}"#)
            try await world.runOutbox()
            let job = "payload->>'refundId' = (SELECT r.id::text FROM refunds r JOIN payments p ON p.id = r.payment_id WHERE p.order_id = $1)"
            let failed = try await server.sql("SELECT status, attempts, run_at > now(), last_error IS NOT NULL FROM jobs WHERE \(job)", [.int(order)])
            #expect(failed == [["queued", "1", "t", "t"]], "\(failed)")
            // Not due yet: not claimed. Due now: sent, once.
            try await world.runOutbox()
            #expect(try await world.refundJob(order: order) == ["queued", "1"])
            _ = try await server.sql("UPDATE jobs SET run_at = now() WHERE \(job)", [.int(order)])
            try await world.runOutbox()
            #expect(try await world.refundJob(order: order) == ["done", "2"])
            try await world.eventually("the refund") { try await world.orderStatus(order) == "refunded" }
            let stats = try await LiveHTTP.request("GET", world.sandboxURL + "/_sandbox/stats").json
            #expect((stats["refunds_by_intent"] as? [String: [String: Int]])?.values.map { $0["count"] ?? 0 } == [1], "\(stats)")
        }
    }

    @Test func payingWithoutAReachableProviderIsAClearError() async throws {
        try await withAPIServer({ try await APITestServer.start(provider: LateBoundProvider()) }) { server in
            let deal = try await server.createDeal()
            let buyer = "nopsp-\(UUID())"
            let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
            let answer = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer))
            #expect(answer.status == 502 && answer.problemType == "payment-provider-unavailable", "\(answer.body)")
            #expect(answer.headers["retry-after"] != nil)
            #expect(try await server.sql("SELECT status FROM payments WHERE order_id = $1", [.int(order)]) == [["creating"]])
        }
        try await withAPIServer { server in
            let deal = try await server.createDeal()
            let buyer = "off-\(UUID())"
            let order = try await server.startGroup(dealID: deal["id"] as! Int, user: buyer).order["id"] as! Int
            let answer = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(order)/pay", bearer: try server.token(.buyer, user: buyer))
            #expect(answer.status == 503 && answer.problemType == "payments-not-configured")
        }
    }
}
