import PSPWire
import Testing

@Suite struct WebhookSignatureTests {
    static let body = Array(#"{"id":"evt_1","type":"payment_intent.succeeded"}"#.utf8)
    static let t: Int64 = 1_700_000_000
    // printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test
    static let expected = "001ce3ef73e456cedaab328328720d3ad59defb8bbd0f1518f46c04ad4ac0bb7"
    // The same with the secret whsec_old.
    static let oldSecretSignature = "112b8f3347b5153a9d788c594c4995aa89ddabd6ed8707eec0ae9f30fb646011"

    @Test func signsLikeOpenSSL() {
        #expect(WebhookSignature.sign(body: Self.body, secret: "whsec_test", timestamp: Self.t) == "t=1700000000,v1=\(Self.expected)")
    }

    @Test func verifiesItsOwnAndTheFixedVector() throws {
        try WebhookSignature.verify(header: "t=1700000000,v1=\(Self.expected)", body: Self.body, secret: "whsec_test", now: Self.t)
        let header = WebhookSignature.sign(body: Self.body, secret: "s", timestamp: 42)
        #expect(try WebhookSignature.verify(header: header, body: Self.body, secret: "s", now: 42) == 42)
        try WebhookSignature.verify(header: " t=1700000000 , v1=\(Self.expected.uppercased()) ", body: Self.body, secret: "whsec_test", now: Self.t)
    }

    @Test func anyOfSeveralSignaturesPasses() throws {
        let rotated = "t=1700000000,v1=\(Self.oldSecretSignature),v1=\(Self.expected),v0=ignored"
        try WebhookSignature.verify(header: rotated, body: Self.body, secret: "whsec_test", now: Self.t)
        try WebhookSignature.verify(header: rotated, body: Self.body, secret: "whsec_old", now: Self.t)
        #expect(throws: WebhookSignatureError.signatureMismatch) {
            try WebhookSignature.verify(header: rotated, body: Self.body, secret: "whsec_other", now: Self.t)
        }
    }

    @Test func tamperingIsAMismatch() {
        var body = Self.body
        body[body.count - 2] ^= 1
        let cases: [(String, [UInt8], String)] = [
            ("t=1700000000,v1=\(Self.expected)", body, "whsec_test"),
            ("t=1700000001,v1=\(Self.expected)", Self.body, "whsec_test"),
            ("t=1700000000,v1=\(Self.expected)", Self.body, "whsec_tesT"),
            ("t=1700000000,v1=\(Self.expected.dropLast())0", Self.body, "whsec_test"),
            ("t=1700000000,v1=\(Self.expected.dropLast(2))", Self.body, "whsec_test"),
            ("t=1700000000,v1=not-hex", Self.body, "whsec_test"),
            ("t=1700000000,v1=", Self.body, "whsec_test"),
        ]
        for (header, body, secret) in cases {
            #expect(throws: WebhookSignatureError.signatureMismatch, "\(header)") {
                try WebhookSignature.verify(header: header, body: body, secret: secret, now: Self.t + 1)
            }
        }
    }

    @Test(arguments: [
        ("", WebhookSignatureError.malformedHeader),
        ("v1=\(expected)", .malformedHeader),
        ("t=abc,v1=\(expected)", .malformedHeader),
        ("t=-5,v1=\(expected)", .malformedHeader),
        ("t=1,t=2,v1=\(expected)", .malformedHeader),
        ("t=1700000000;v1=\(expected)", .malformedHeader),
        ("t=1700000000,garbage", .malformedHeader),
        ("t=1700000000", .noSignature),
        ("t=1700000000,v0=\(expected)", .noSignature),
    ])
    func refusesMalformedHeaders(header: String, error: WebhookSignatureError) {
        #expect(throws: error) {
            try WebhookSignature.verify(header: header, body: Self.body, secret: "whsec_test", now: Self.t)
        }
    }

    @Test func toleranceAppliesInBothDirectionsInclusive() throws {
        let header = "t=1700000000,v1=\(Self.expected)"
        for now in [Self.t - 300, Self.t + 300] {
            try WebhookSignature.verify(header: header, body: Self.body, secret: "whsec_test", now: now, tolerance: 300)
        }
        for now in [Self.t - 301, Self.t + 301] {
            #expect(throws: WebhookSignatureError.timestampOutsideTolerance) {
                try WebhookSignature.verify(header: header, body: Self.body, secret: "whsec_test", now: now, tolerance: 300)
            }
        }
    }
}
