import Foundation
import HTTPClient
import HTTPCodec
import PSPClient
import PSPWire
import Testing

/// The buyer's side of a payment: an intent is confirmed with its client secret, without the
/// API key, from any origin; another secret changes nothing, and secrets follow from no seed.
@Suite struct ClientConfirmTests {
    static func confirm(_ harness: SandboxHarness, _ intent: String, secret: String, card: String = PaymentMethod.cardOK) async throws -> HTTPClientResponse {
        try await harness.call(
            .post, "/v1/client/payment_intents/\(intent)/confirm", json: #"{"client_secret":"\#(secret)","payment_method":"\#(card)"}"#,
            authorized: false
        )
    }

    @Test func theClientSecretConfirmsWithoutTheAPIKey() async throws {
        let harness = try await SandboxHarness.start()
        let created = try await harness.psp.createIntent(amount: 990, currency: "EUR", idempotencyKey: "c1")
        let secret = try #require(created.clientSecret)
        #expect(secret.hasPrefix(created.id + "_secret_") && secret.count == created.id.count + 8 + 48)
        // The API-key holder sees the same secret again, on a replay and on a read.
        #expect(try await harness.psp.createIntent(amount: 990, currency: "EUR", idempotencyKey: "c1").clientSecret == secret)
        #expect(try await harness.psp.intent(id: created.id).clientSecret == secret)

        let declined = try await Self.confirm(harness, created.id, secret: secret, card: PaymentMethod.cardDeclined)
        #expect(declined.status == 200 && declined.text.contains(#""status":"requires_payment_method""#))
        let confirmed = try await Self.confirm(harness, created.id, secret: secret)
        #expect(confirmed.status == 200, "\(confirmed.text)")
        let intent = try PSPJSON.decode(PaymentIntent.self, from: confirmed.body)
        #expect(intent.status == .succeeded)
        let received = try await harness.receiver.waitFor(2)
        #expect(received.map(\.event.type) == [.paymentIntentPaymentFailed, .paymentIntentSucceeded])
        #expect(received.allSatisfy { $0.signatureValid && !String(decoding: $0.body, as: UTF8.self).contains("secret") })
        try await harness.stop()
    }

    @Test func anotherSecretIsRefusedAndChangesNothing() async throws {
        let harness = try await SandboxHarness.start()
        let mine = try await harness.psp.createIntent(amount: 500, currency: "EUR", idempotencyKey: "mine")
        let theirs = try await harness.psp.createIntent(amount: 700, currency: "EUR", idempotencyKey: "theirs")
        let mySecret = try #require(mine.clientSecret)
        for (intent, secret) in [
            (mine.id, try #require(theirs.clientSecret)), (mine.id, mySecret + "0"), (mine.id, String(mySecret.dropLast())), (mine.id, ""),
            (mine.id, SandboxHarness.apiKey), ("pi_missing", mySecret),
        ] {
            let answer = try await Self.confirm(harness, intent, secret: secret)
            #expect(answer.status == 401 && answer.text.contains(#""code":"invalid_client_secret""#), "\(secret): \(answer.text)")
        }
        // The API key is no client secret's stand-in, and the body needs both members.
        let keyOnly = try await harness.call(.post, "/v1/client/payment_intents/\(mine.id)/confirm", json: #"{"payment_method":"pm_card_ok"}"#)
        #expect(keyOnly.status == 400)
        #expect(try await harness.psp.intent(id: mine.id).status == .requiresConfirmation)
        let stats = try await harness.stats()
        #expect(stats["charges_succeeded"] as? Int == 0 && stats["events"] as? Int == 0)
        try await harness.stop()
    }

    @Test func secretsDoNotFollowFromTheSeed() async throws {
        let first = try await SandboxHarness.start()
        let second = try await SandboxHarness.start()
        let a = try await first.psp.createIntent(amount: 100, currency: "EUR", idempotencyKey: "same")
        let b = try await second.psp.createIntent(amount: 100, currency: "EUR", idempotencyKey: "same")
        // Past the eight characters each sandbox start draws for itself, the same seed gives
        // the same ids: the secret is what must not follow.
        #expect(a.id.dropFirst("pi_".count + 8) == b.id.dropFirst("pi_".count + 8), "the same seed gives the same ids")
        #expect(a.clientSecret != nil && a.clientSecret != b.clientSecret)
        try await first.stop()
        try await second.stop()
    }

    @Test func browsersMayConfirmFromAnyOrigin() async throws {
        let harness = try await SandboxHarness.start()
        let intent = try await harness.psp.createIntent(amount: 300, currency: "EUR", idempotencyKey: "cors")
        let preflight = try await harness.call(
            .options, "/v1/client/payment_intents/\(intent.id)/confirm",
            headers: [("Origin", "https://shop.example"), ("Access-Control-Request-Method", "POST"), ("Access-Control-Request-Headers", "content-type")],
            authorized: false
        )
        #expect(preflight.status == 204)
        #expect(preflight.header("access-control-allow-origin") == "*")
        #expect(preflight.header("access-control-allow-methods") == "POST" && preflight.header("access-control-allow-headers") == "Content-Type")
        let confirmed = try await harness.call(
            .post, "/v1/client/payment_intents/\(intent.id)/confirm",
            json: #"{"client_secret":"\#(intent.clientSecret ?? "")","payment_method":"pm_card_ok"}"#,
            headers: [("Origin", "https://shop.example")], authorized: false
        )
        #expect(confirmed.status == 200 && confirmed.header("access-control-allow-origin") == "*")
        // The API-key routes are not for browsers.
        let keyRoute = try await harness.call(
            .options, "/v1/payment_intents/\(intent.id)/confirm", headers: [("Origin", "https://shop.example"), ("Access-Control-Request-Method", "POST")],
            authorized: false
        )
        #expect(keyRoute.status == 405 && keyRoute.header("access-control-allow-origin") == nil)
        try await harness.stop()
    }
}
