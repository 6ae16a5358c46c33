import Auth
import Foundation
import OpenSSL
import Testing

/// The HS256 examples others publish, so our signatures agree with the rest of the world.
@Suite struct JWTPublishedExampleTests {
    /// RFC 7515 appendix A.1: its JWK `k` and the compact token it signs. Its header has no
    /// `kid` (checked against the current key) and CRLFs inside the JSON; its claims have
    /// `iss` "joe" and `exp` 1300819380 but no `aud`, `sub` or `role`.
    static let rfcKey = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"
    static let rfcToken =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    private func rfcVerifier(secret: [UInt8]) throws -> JWTVerifier {
        let ring = try JWTKeyRing(current: JWTKey(id: "rfc7515", secret: secret))
        return JWTVerifier(keyRing: ring, issuer: "joe", audience: "groupbuy-api")
    }

    /// The signature and `exp` and `iss` pass; the first refusal is the audience it lacks.
    @Test func rfc7515ExampleSignatureVerifies() throws {
        let key = try #require(decodeBase64URL(Self.rfcKey))
        #expect(key.count == 64)
        let verifier = try rfcVerifier(secret: key)
        #expect(
            refusal(of: Self.rfcToken, by: verifier, at: .init(timeIntervalSince1970: 1_300_819_000)) == .wrongAudience)
        // After exp (+30 s skew) the same token is expired, so the claims were really read.
        #expect(refusal(of: Self.rfcToken, by: verifier, at: .init(timeIntervalSince1970: 1_300_819_410)) == .expired)
    }

    @Test func rfc7515ExampleFailsUnderAnotherKey() throws {
        var key = try #require(decodeBase64URL(Self.rfcKey))
        key[0] ^= 1
        let verifier = try rfcVerifier(secret: key)
        #expect(
            refusal(of: Self.rfcToken, by: verifier, at: .init(timeIntervalSince1970: 1_300_819_000)) == .badSignature)
    }

    /// jwt.io's default HS256 token. Its secret "your-256-bit-secret" is 19 bytes, too short
    /// for our key ring, so the MAC is checked directly — and the ring refuses that secret.
    @Test func jwtIOExampleMACMatchesAndItsSecretIsRefused() throws {
        let token =
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
            + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
            + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        let parts = segments(of: token)
        let mac = HMAC.sha256(key: "your-256-bit-secret".utf8, message: (parts[0] + "." + parts[1]).utf8)
        #expect(base64URL(mac) == parts[2])
        #expect(throws: JWTKeyError.secretTooShort(keyID: "jwtio", bytes: 19)) {
            try JWTKeyRing(parsing: ["jwtio:your-256-bit-secret"])
        }
    }
}
