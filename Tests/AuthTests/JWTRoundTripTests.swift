import Auth
import Foundation
import Testing

@Suite struct JWTRoundTripTests {
    @Test(arguments: Role.allCases)
    func issuedTokenVerifiesToItsPrincipal(role: Role) throws {
        let token = try Fixture.signer().issue(subject: "user-7", role: role, ttl: .seconds(900), now: Fixture.now)
        let principal = try Fixture.verifier().verify(token, now: Fixture.now)
        #expect(principal.userID == "user-7")
        #expect(principal.role == role)
        #expect(principal.tokenID?.isEmpty == false)
    }

    @Test func headerNamesHS256JWTAndTheCurrentKey() throws {
        let token = try Fixture.signer().issue(subject: "u", role: .buyer, ttl: .seconds(60), now: Fixture.now)
        let header = try json(segments(of: token)[0])
        #expect(header.count == 3)
        #expect(header["alg"] as? String == "HS256")
        #expect(header["typ"] as? String == "JWT")
        #expect(header["kid"] as? String == Fixture.currentKeyID)
    }

    @Test func claimsCarryEveryRegisteredName() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000.75)
        let token = try Fixture.signer().issue(subject: "user-7", role: .admin, ttl: .seconds(900), now: now)
        let claims = try json(segments(of: token)[1])
        #expect(Set(claims.keys) == ["sub", "role", "iss", "aud", "iat", "nbf", "exp", "jti"])
        #expect(claims["sub"] as? String == "user-7")
        #expect(claims["role"] as? String == "admin")
        #expect(claims["iss"] as? String == Fixture.issuer)
        #expect(claims["aud"] as? String == Fixture.audience)
        // NumericDates are whole seconds: the fraction of `now` is dropped.
        #expect(claims["iat"] as? Int == 1_750_000_000)
        #expect(claims["nbf"] as? Int == 1_750_000_000)
        #expect(claims["exp"] as? Int == 1_750_000_900)
    }

    @Test func partialSecondsOfLifetimeRoundUp() throws {
        let token = try Fixture.signer().issue(subject: "u", role: .buyer, ttl: .milliseconds(1500), now: Fixture.now)
        #expect(try json(segments(of: token)[1])["exp"] as? Int == Fixture.nowSeconds + 2)
    }

    /// Valid up to the last second of its lifetime and not at its end (skew 0 to see the edge).
    @Test func expiresAfterItsLifetime() throws {
        let token = try Fixture.signer().issue(subject: "u", role: .buyer, ttl: .seconds(60), now: Fixture.now)
        let strict = try Fixture.verifier(clockSkew: .zero)
        #expect(refusal(of: token, by: strict, at: Fixture.now.addingTimeInterval(59)) == nil)
        #expect(refusal(of: token, by: strict, at: Fixture.now.addingTimeInterval(60)) == .expired)
    }

    @Test func everyTokenHasItsOwnID() throws {
        let signer = try Fixture.signer()
        let verifier = try Fixture.verifier()
        let ids = try (0..<20).map { _ in
            try verifier.verify(
                signer.issue(subject: "u", role: .buyer, ttl: .seconds(60), now: Fixture.now), now: Fixture.now
            )
            .tokenID
        }
        #expect(Set(ids).count == 20)
    }

    /// Subjects are JSON-escaped, not spliced: quotes and non-ASCII come back unchanged.
    @Test func subjectWithQuotesAndUnicodeSurvives() throws {
        let subject = #"a"b\c/ü😀"#
        let token = try Fixture.signer().issue(subject: subject, role: .buyer, ttl: .seconds(60), now: Fixture.now)
        #expect(try Fixture.verifier().verify(token, now: Fixture.now).userID == subject)
    }

    @Test func verifiesSubstrings() throws {
        let token = try Fixture.signer().issue(subject: "u", role: .buyer, ttl: .seconds(60), now: Fixture.now)
        let header = "Bearer " + token
        let bearer = header.dropFirst("Bearer ".count)
        #expect(try Fixture.verifier().verify(bearer, now: Fixture.now).userID == "u")
    }

    private func json(_ segment: String) throws -> [String: Any] {
        let bytes = try #require(decodeBase64URL(segment))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
