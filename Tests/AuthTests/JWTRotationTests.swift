import Auth
import Testing

/// Rotating keys: new tokens are signed with the new key while tokens signed with an older,
/// still listed key keep working until that key is removed.
@Suite struct JWTRotationTests {
    static let oldEntry = "\(Fixture.previousKeyID):\(Fixture.previousSecret)"
    static let newEntry = "\(Fixture.currentKeyID):\(Fixture.currentSecret)"

    private func verifier(_ entries: [String]) throws -> JWTVerifier {
        JWTVerifier(keyRing: try JWTKeyRing(parsing: entries), issuer: Fixture.issuer, audience: Fixture.audience)
    }

    private func issue(with entries: [String]) throws -> String {
        try JWTSigner(keyRing: JWTKeyRing(parsing: entries), issuer: Fixture.issuer, audience: Fixture.audience)
            .issue(subject: "user-1", role: .buyer, ttl: .seconds(600), now: Fixture.now)
    }

    @Test func tokenFromAnOldButListedKeyVerifies() throws {
        let oldToken = try issue(with: [Self.oldEntry])
        #expect(refusal(of: oldToken, by: try verifier([Self.newEntry, Self.oldEntry])) == nil)
    }

    @Test func newTokensAreSignedWithTheNewKey() throws {
        let newToken = try issue(with: [Self.newEntry, Self.oldEntry])
        #expect(segments(of: newToken)[0] == base64URL(#"{"alg":"HS256","kid":"k2","typ":"JWT"}"#))
        #expect(refusal(of: newToken, by: try verifier([Self.newEntry])) == nil)
        // A server still on the old ring does not know the new key yet.
        #expect(refusal(of: newToken, by: try verifier([Self.oldEntry])) == .unknownKey)
    }

    @Test func tokenFromARemovedKeyIsRefused() throws {
        let oldToken = try issue(with: [Self.oldEntry])
        #expect(refusal(of: oldToken, by: try verifier([Self.newEntry])) == .unknownKey)
    }

    /// The kid picks the key; a listed kid does not make another key's signature good.
    @Test func kidOfOneKeyWithTheSignatureOfAnotherIsRefused() throws {
        let token = mint(header: #"{"alg":"HS256","kid":"k1"}"#, secret: Fixture.currentSecret)
        #expect(refusal(of: token, by: try Fixture.verifier()) == .badSignature)
        let honest = mint(header: #"{"alg":"HS256","kid":"k1"}"#, secret: Fixture.previousSecret)
        #expect(refusal(of: honest, by: try Fixture.verifier()) == nil)
    }

    /// A token without kid is checked against the current key only.
    @Test func tokenWithoutKidUsesOnlyTheCurrentKey() throws {
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        #expect(refusal(of: mint(header: header, secret: Fixture.currentSecret), by: try Fixture.verifier()) == nil)
        #expect(
            refusal(of: mint(header: header, secret: Fixture.previousSecret), by: try Fixture.verifier())
                == .badSignature
        )
    }
}
