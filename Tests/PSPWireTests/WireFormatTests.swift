import PSPWire
import Testing

@Suite struct WireFormatTests {
    @Test func intentsUseSnakeCaseOnTheWire() throws {
        let intent = PaymentIntent(id: "pi_1", status: .requiresConfirmation, amount: 1000, currency: "EUR", metadata: ["order": "o_1"], created: 1_700_000_000)
        let text = String(decoding: try PSPJSON.encode(intent), as: UTF8.self)
        #expect(text == #"{"amount":1000,"amount_refunded":0,"created":1700000000,"currency":"EUR","id":"pi_1","metadata":{"order":"o_1"},"object":"payment_intent","status":"requires_confirmation"}"#)
        #expect(try PSPJSON.decode(PaymentIntent.self, from: Array(text.utf8)) == intent)
    }

    @Test func eventsCarryTheirObjectToldApartByItsKind() throws {
        let refund = Refund(id: "re_1", status: .succeeded, paymentIntent: "pi_1", amount: 5, created: 7)
        let event = PSPEvent(id: "evt_1", type: .refundSucceeded, created: 8, object: .refund(refund))
        let bytes = try PSPJSON.encode(event)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""type":"refund.succeeded""#))
        #expect(String(decoding: bytes, as: UTF8.self).contains(#""payment_intent":"pi_1""#))
        #expect(try PSPJSON.decode(PSPEvent.self, from: bytes) == event)
        let intentEvent = #"{"id":"evt_2","type":"payment_intent.succeeded","created":1,"data":{"object":{"id":"pi_1","object":"payment_intent","status":"succeeded","amount":1,"currency":"EUR","metadata":{},"created":1,"amount_refunded":0}}}"#
        guard case .paymentIntent(let intent) = try PSPJSON.decode(PSPEvent.self, from: Array(intentEvent.utf8)).data.object else {
            Issue.record("not decoded as an intent")
            return
        }
        #expect(intent.status == .succeeded)
    }

    @Test func createRequestsMayOmitMetadata() throws {
        let request = try PSPJSON.decode(CreatePaymentIntentRequest.self, from: Array(#"{"amount":5,"currency":"EUR"}"#.utf8))
        #expect(request == CreatePaymentIntentRequest(amount: 5, currency: "EUR"))
        let error = try PSPJSON.decode(PSPErrorBody.self, from: Array(#"{"error":{"code":"amount_too_large","message":"m"}}"#.utf8))
        #expect(error.error.code == "amount_too_large")
    }
}
