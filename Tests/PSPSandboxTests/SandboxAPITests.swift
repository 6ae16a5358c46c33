import Foundation
import HTTPClient
import HTTPCodec
import PSPClient
import PSPWire
import Testing

@Suite struct SandboxAPITests {
    @Test func anIntentIsCreatedConfirmedAndItsSignedEventDelivered() async throws {
        let harness = try await SandboxHarness.start()
        let created = try await harness.psp.createIntent(amount: 1250, currency: "EUR", metadata: ["order": "o_1"], idempotencyKey: "k1")
        #expect(created.id.hasPrefix("pi_"))
        #expect(created.status == .requiresConfirmation)
        #expect(created.amount == 1250 && created.currency == "EUR" && created.metadata == ["order": "o_1"])
        #expect(created.amountRefunded == 0 && created.object == "payment_intent")
        #expect(try await harness.psp.intent(id: created.id) == created)

        let confirmed = try await harness.psp.confirm(intentID: created.id, paymentMethod: PaymentMethod.cardOK)
        #expect(confirmed.status == .succeeded)
        let received = try await harness.receiver.waitFor(1)
        #expect(received[0].signatureValid)
        #expect(received[0].event.type == .paymentIntentSucceeded)
        #expect(received[0].event.id.hasPrefix("evt_"))
        // The event is the intent as confirmed, without its client secret (webhooks never carry it).
        var published = confirmed
        published.clientSecret = nil
        #expect(confirmed.clientSecret?.hasPrefix(created.id + "_secret_") == true)
        #expect(received[0].event.data.object == .paymentIntent(published))

        await #expect(throws: PSPClientError.rejected(status: 409, code: "intent_already_succeeded", message: "the payment intent has already succeeded")) {
            _ = try await harness.psp.confirm(intentID: created.id, paymentMethod: PaymentMethod.cardOK)
        }
        let stats = try await harness.stats()
        #expect(stats["charges_succeeded"] as? Int == 1, "no second charge")
        #expect(stats["events"] as? Int == 1, "no second event")
        #expect(harness.receiver.invalidSignatures == 0)
        try await harness.stop()
    }

    @Test func aDeclinedCardLeavesTheIntentPayableAndEmitsPaymentFailed() async throws {
        let harness = try await SandboxHarness.start()
        let intent = try await harness.psp.createIntent(amount: 500, currency: "EUR", idempotencyKey: "d1")
        let declined = try await harness.psp.confirm(intentID: intent.id, paymentMethod: PaymentMethod.cardDeclined)
        #expect(declined.status == .requiresPaymentMethod)
        let paid = try await harness.psp.confirm(intentID: intent.id, paymentMethod: PaymentMethod.cardOK)
        #expect(paid.status == .succeeded)
        let received = try await harness.receiver.waitFor(2)
        #expect(received.map(\.event.type) == [.paymentIntentPaymentFailed, .paymentIntentSucceeded])
        try await harness.stop()
    }

    @Test func refusesCallsWithoutTheAPIKeyAndBadInput() async throws {
        let harness = try await SandboxHarness.start()
        let anonymous = try await harness.call(.get, "/v1/payment_intents", authorized: false)
        #expect(anonymous.status == 401)
        #expect(anonymous.text.contains(#""code":"unauthorized""#))
        let wrongKey = try await harness.call(.get, "/v1/payment_intents", headers: [("Authorization", "Bearer sk_wrong")], authorized: false)
        #expect(wrongKey.status == 401)
        let cases: [(String, String, Int, String)] = [
            ("/v1/payment_intents", #"{"amount":0,"currency":"EUR"}"#, 400, "invalid_request"),
            ("/v1/payment_intents", #"{"amount":5,"currency":"eur"}"#, 400, "invalid_request"),
            ("/v1/payment_intents", #"not json"#, 400, "invalid_request"),
            ("/v1/payment_intents/pi_missing/confirm", #"{"payment_method":"pm_card_ok"}"#, 404, "resource_missing"),
            ("/v1/refunds", #"{"payment_intent":"pi_missing","amount":5}"#, 404, "resource_missing"),
        ]
        for (target, body, status, code) in cases {
            let response = try await harness.call(.post, target, json: body)
            #expect(response.status == status, "\(target) \(body)")
            #expect(response.text.contains(#""code":"\#(code)""#), "\(target) \(body): \(response.text)")
        }
        await #expect(throws: PSPClientError.rejected(status: 404, code: "resource_missing", message: "no such payment intent")) {
            _ = try await harness.psp.intent(id: "pi_nope")
        }
        try await harness.stop()
    }

    @Test func theSameKeyGivesTheSameIntentAndAnotherBodyIsRefused() async throws {
        let harness = try await SandboxHarness.start()
        let first = try await harness.call(.post, "/v1/payment_intents", json: #"{"amount":700,"currency":"EUR"}"#, headers: [("Idempotency-Key", "same")])
        let again = try await harness.call(.post, "/v1/payment_intents", json: #"{"currency":"EUR","amount":700,"metadata":{}}"#, headers: [("Idempotency-Key", "same")])
        #expect(first.status == 200 && again.status == 200)
        #expect(first.body == again.body, "the same answer, byte for byte")
        let other = try await harness.call(.post, "/v1/payment_intents", json: #"{"amount":701,"currency":"EUR"}"#, headers: [("Idempotency-Key", "same")])
        #expect(other.status == 422)
        #expect(other.text.contains("idempotency_mismatch"))
        #expect(try await harness.stats()["intents"] as? Int == 1)
        try await harness.stop()
    }

    @Test func concurrentIdenticalRequestsCreateOneIntentAndOneRefund() async throws {
        let harness = try await SandboxHarness.start(loops: 2)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<24 {
                group.addTask { try await harness.psp.createIntent(amount: 900, currency: "EUR", idempotencyKey: "race").id }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        let intent = try await harness.psp.confirm(intentID: ids.first!, paymentMethod: PaymentMethod.cardOK)
        let refundIDs = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<24 {
                group.addTask { try await harness.psp.refund(intentID: intent.id, amount: 300, idempotencyKey: "refund-race").id }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(refundIDs.count == 1)
        let stats = try await harness.stats()
        #expect(stats["intents"] as? Int == 1)
        #expect(stats["refunds"] as? Int == 1)
        #expect(try await harness.psp.intent(id: intent.id).amountRefunded == 300)
        try await harness.stop()
    }

    @Test func refundsSettleAndAreBoundedByTheCapturedAmount() async throws {
        let harness = try await SandboxHarness.start()
        let unpaid = try await harness.psp.createIntent(amount: 1000, currency: "EUR", idempotencyKey: "unpaid")
        await #expect(throws: PSPClientError.rejected(status: 409, code: "intent_not_succeeded", message: "only a succeeded payment intent can be refunded")) {
            _ = try await harness.psp.refund(intentID: unpaid.id, amount: 100, idempotencyKey: "r0")
        }
        let paid = try await harness.paidIntent(amount: 1000)
        let refund = try await harness.psp.refund(intentID: paid.id, amount: 600, idempotencyKey: "r1")
        #expect(refund.id.hasPrefix("re_") && refund.status == .pending && refund.amount == 600 && refund.paymentIntent == paid.id)
        #expect(try await harness.psp.refund(intentID: paid.id, amount: 600, idempotencyKey: "r1").id == refund.id, "same key, same refund")
        await #expect {
            _ = try await harness.psp.refund(intentID: paid.id, amount: 401, idempotencyKey: "r2")
        } throws: { error in
            guard case .rejected(422, "amount_too_large", _) = error as? PSPClientError else { return false }
            return true
        }
        let rest = try await harness.psp.refund(intentID: paid.id, amount: 400, idempotencyKey: "r3")
        let received = try await harness.receiver.waitFor(3)
        let settled = received.filter { $0.event.type == .refundSucceeded }
        #expect(settled.count == 2)
        for delivery in settled {
            guard case .refund(let object) = delivery.event.data.object else {
                Issue.record("a refund event without a refund")
                continue
            }
            #expect(object.status == .succeeded)
        }
        let list = try await harness.psp.refunds(intentID: paid.id)
        #expect(list.data.map(\.id) == [refund.id, rest.id])
        #expect(list.data.allSatisfy { $0.status == .succeeded })
        let figures = (try await harness.stats()["refunds_by_intent"] as? [String: Any])?[paid.id] as? [String: Int]
        #expect(figures == ["count": 2, "amount": 1000])
        try await harness.stop()
    }

    @Test func listsIntentsInCreationOrderPageByPage() async throws {
        let harness = try await SandboxHarness.start()
        var created: [String] = []
        for index in 0..<5 {
            created.append(try await harness.psp.createIntent(amount: 100 + index, currency: "EUR", idempotencyKey: "l\(index)").id)
        }
        let first = try await harness.psp.listIntents(limit: 2)
        #expect(first.data.map(\.id) == Array(created[0..<2]) && first.hasMore)
        let second = try await harness.psp.listIntents(after: first.data.last!.id, limit: 2)
        #expect(second.data.map(\.id) == Array(created[2..<4]) && second.hasMore)
        let last = try await harness.psp.listIntents(after: second.data.last!.id, limit: 2)
        #expect(last.data.map(\.id) == [created[4]] && !last.hasMore)
        let tooMany = try await harness.call(.get, "/v1/payment_intents?limit=101")
        #expect(tooMany.status == 400)
        try await harness.stop()
    }

    @Test func resetForgetsEverything() async throws {
        let harness = try await SandboxHarness.start()
        _ = try await harness.paidIntent()
        try await harness.receiver.waitFor(1)
        let reset = try await harness.call(.post, "/_sandbox/reset", authorized: false)
        #expect(reset.status == 200)
        let stats = try await harness.stats()
        #expect(stats["intents"] as? Int == 0 && stats["events"] as? Int == 0)
        #expect(try await harness.psp.listIntents().data.isEmpty)
        try await harness.stop()
    }

    @Test func anUnreachableProviderIsTypedApart() async throws {
        let harness = try await SandboxHarness.start()
        let port = harness.port
        try await harness.stop()
        let group = try IOCore.EventLoopGroup(count: 1)
        let client = PSPClient(
            configuration: PSPClientConfiguration(address: try IOCore.SocketAddress(host: "127.0.0.1", port: port), apiKey: "k"),
            clients: HTTPClients(loops: group.loops)
        )
        await #expect {
            _ = try await client.intent(id: "pi_1")
        } throws: { error in
            guard case .unreachable = error as? PSPClientError else { return false }
            return true
        }
        group.shutdown()
    }
}

import IOCore
