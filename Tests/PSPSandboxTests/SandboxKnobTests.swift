import Foundation
import HTTPClient
import HTTPCodec
import PSPSandbox
import PSPClient
import PSPWire
import Testing

@Suite struct SandboxKnobTests {
    @Test func duplicateDeliversTheSameEventNPlusOneTimes() async throws {
        let harness = try await SandboxHarness.start { $0.duplicate = 2 }
        _ = try await harness.paidIntent()
        let received = try await harness.receiver.waitFor(3)
        #expect(Set(received.map(\.event.id)).count == 1)
        #expect(Set(received.map(\.body)).count == 1, "the same body every time")
        try await harness.stop()
    }

    @Test func reorderReleasesEachBatchReversed() async throws {
        let harness = try await SandboxHarness.start()
        try await harness.configure(#"{"reorder_batch":3}"#)
        for _ in 0..<3 { _ = try await harness.paidIntent() }
        let received = try await harness.receiver.waitFor(3)
        let emitted = try await harness.events().compactMap { $0["id"] as? String }
        #expect(received.map(\.event.id) == emitted.reversed())
        try await harness.stop()
    }

    @Test func reorderCanShuffleWithTheSeedAndReleasesHeldEventsWhenTurnedOff() async throws {
        let harness = try await SandboxHarness.start { $0.reorderBatch = 10 }
        for _ in 0..<2 { _ = try await harness.paidIntent() }
        #expect(try await harness.stats()["events_held"] as? Int == 2)
        try await harness.configure(#"{"reorder_batch":0}"#)
        let received = try await harness.receiver.waitFor(2)
        let emitted = try await harness.events().compactMap { $0["id"] as? String }
        #expect(received.map(\.event.id) == emitted.reversed())
        try await harness.stop()
    }

    @Test func aDroppedDeliveryIsRetried() async throws {
        let harness = try await SandboxHarness.start { $0.dropNext = 1 }
        _ = try await harness.paidIntent()
        let received = try await harness.receiver.waitFor(1)
        let attempts = try #require(try await harness.events().first?["attempts"] as? [[String: Any]])
        #expect(attempts.compactMap { $0["outcome"] as? String } == ["dropped", "delivered"])
        #expect(received.count == 1)
        let deliveries = try await harness.stats()["deliveries"] as? [String: Int]
        #expect(deliveries?["dropped"] == 1 && deliveries?["succeeded"] == 1)
        try await harness.stop()
    }

    @Test func aDroppedDeliveryWithoutRetriesIsNeverDelivered() async throws {
        let harness = try await SandboxHarness.start { knobs in
            knobs.dropNext = 1
            knobs.webhookMaxAttempts = 1
        }
        _ = try await harness.paidIntent()
        try await eventually("the dropped attempt") {
            (try await harness.events().first?["attempts"] as? [[String: Any]])?.count == 1
        }
        let event = try #require(try await harness.events().first)
        #expect(event["delivered"] as? Bool == false)
        #expect(harness.receiver.received.isEmpty, "its only attempt was dropped")
        try await harness.stop()
    }

    @Test func dropProbabilityOneDropsEverything() async throws {
        let harness = try await SandboxHarness.start { knobs in
            knobs.dropProbability = 1
            knobs.webhookMaxAttempts = 3
        }
        _ = try await harness.paidIntent()
        try await eventually("three dropped attempts") {
            (try await harness.events().first?["attempts"] as? [[String: Any]])?.count == 3
        }
        #expect(harness.receiver.received.isEmpty)
        try await harness.stop()
    }

    @Test func failNextAnswers500ThenWorks() async throws {
        let harness = try await SandboxHarness.start()
        try await harness.configure(#"{"fail_next":2}"#)
        for _ in 0..<2 {
            await #expect(throws: PSPClientError.providerFailed(status: 500, code: "sandbox_failure", message: "failure injected by the sandbox")) {
                _ = try await harness.psp.createIntent(amount: 1, currency: "EUR", idempotencyKey: "f")
            }
        }
        let intent = try await harness.psp.createIntent(amount: 1, currency: "EUR", idempotencyKey: "f")
        #expect(intent.status == .requiresConfirmation)
        let stats = try await harness.stats()
        #expect(stats["api_failures_injected"] as? Int == 2 && stats["intents"] as? Int == 1)
        try await harness.stop()
    }

    @Test func apiDelayMakesTheClientTimeOutAfterTheEffect() async throws {
        let harness = try await SandboxHarness.start(timeout: .milliseconds(150))
        try await harness.configure(#"{"api_delay_ms":1500}"#)
        await #expect(throws: PSPClientError.timeout) {
            _ = try await harness.psp.createIntent(amount: 10, currency: "EUR", idempotencyKey: "slow")
        }
        try await harness.configure(#"{"api_delay_ms":0}"#)
        // The timed-out call took effect: retrying with the same key returns that intent.
        #expect(try await harness.stats()["intents"] as? Int == 1)
        let retried = try await harness.psp.createIntent(amount: 10, currency: "EUR", idempotencyKey: "slow")
        #expect(try await harness.psp.listIntents().data.map(\.id) == [retried.id])
        try await harness.stop()
    }

    @Test func failedDeliveriesAreRetriedWithBackoffUntilA2xx() async throws {
        let harness = try await SandboxHarness.start()
        harness.receiver.failNext(2)
        _ = try await harness.paidIntent()
        let received = try await harness.receiver.waitFor(1)
        #expect(received[0].event.type == .paymentIntentSucceeded)
        // The sandbox records an attempt's outcome after the receiver's answer reaches it.
        try await eventually("the third attempt to be recorded") {
            (try await harness.events().first?["attempts"] as? [[String: Any]])?.count == 3
        }
        let attempts = try #require(try await harness.events().first?["attempts"] as? [[String: Any]])
        #expect(attempts.compactMap { $0["outcome"] as? String } == ["failed", "failed", "delivered"])
        #expect(attempts.compactMap { $0["status"] as? Int } == [500, 500, 204])
        let times = attempts.compactMap { ($0["at_ms"] as? NSNumber)?.int64Value }
        // Lower bounds only (a loaded machine can only make the waits longer): base 10 ms, doubled.
        #expect(times.count == 3 && times[1] - times[0] >= 10 && times[2] - times[1] >= 20, "waits of at least 10 and 20 ms: \(times)")
        try await harness.stop()
    }

    @Test func knobsAreShownAndRefusedWhenInvalid() async throws {
        let harness = try await SandboxHarness.start()
        try await harness.configure(#"{"webhook_delay_ms":5,"drop_probability":0.25,"seed":99}"#)
        let shown = try await harness.call(.get, "/_sandbox/config", authorized: false)
        let knobs = try JSONSerialization.jsonObject(with: Data(shown.body)) as? [String: Any]
        #expect(knobs?["webhook_delay_ms"] as? Int == 5)
        #expect(knobs?["drop_probability"] as? Double == 0.25)
        for bad in [#"{"duplicate":-1}"#, #"{"drop_probability":2}"#, #"{"no_such_knob":1}"#, #"{"reorder_mode":"sideways"}"#] {
            let response = try await harness.call(.post, "/_sandbox/config", json: bad, authorized: false)
            #expect(response.status == 400, "\(bad)")
        }
        try await harness.stop()
    }
}
