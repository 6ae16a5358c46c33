import Auth
import Testing

/// Time, issuer, audience, subject and role checks on correctly signed tokens.
@Suite struct JWTClaimsTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Raw JSON values replacing the valid defaults; nil removes the claim.
        let overrides: [String: String?]
        /// nil: accepted.
        let expected: AuthError.Kind?
        var testDescription: String { name }
    }

    static let now = Fixture.nowSeconds

    static let cases: [Case] = [
        // exp, with the default 30 s skew: valid while now < exp + 30.
        Case(name: "exp just inside the skew", overrides: ["exp": "\(now - 29)"], expected: nil),
        Case(name: "exp exactly at the end of the skew", overrides: ["exp": "\(now - 30)"], expected: .expired),
        Case(name: "exp just past the skew", overrides: ["exp": "\(now - 31)"], expected: .expired),
        Case(name: "exp fractional, inside the skew", overrides: ["exp": "\(now - 30).5"], expected: nil),
        Case(name: "exp long past", overrides: ["exp": "\(now - 86_400)"], expected: .expired),
        Case(name: "exp missing", overrides: ["exp": nil], expected: .malformed),
        Case(name: "exp a string", overrides: ["exp": "\"\(now + 600)\""], expected: .malformed),
        Case(name: "exp null", overrides: ["exp": "null"], expected: .malformed),

        // nbf, with the same skew: valid once now >= nbf - 30.
        Case(name: "nbf in the future beyond the skew", overrides: ["nbf": "\(now + 31)"], expected: .notYetValid),
        Case(name: "nbf in the future within the skew", overrides: ["nbf": "\(now + 30)"], expected: nil),
        Case(name: "nbf missing", overrides: ["nbf": nil], expected: nil),

        // iss.
        Case(name: "wrong iss", overrides: ["iss": #""evil""#], expected: .wrongIssuer),
        Case(name: "iss differing in case", overrides: ["iss": #""GroupBuy""#], expected: .wrongIssuer),
        Case(name: "iss missing", overrides: ["iss": nil], expected: .wrongIssuer),

        // aud: a string or an array that must name us.
        Case(name: "wrong aud string", overrides: ["aud": #""other-api""#], expected: .wrongAudience),
        Case(name: "aud array without us", overrides: ["aud": #"["other-api","third"]"#], expected: .wrongAudience),
        Case(name: "aud array with us", overrides: ["aud": #"["other-api","groupbuy-api"]"#], expected: nil),
        Case(name: "aud empty array", overrides: ["aud": "[]"], expected: .wrongAudience),
        Case(name: "aud missing", overrides: ["aud": nil], expected: .wrongAudience),
        Case(name: "aud a number", overrides: ["aud": "1"], expected: .malformed),

        // sub.
        Case(name: "sub missing", overrides: ["sub": nil], expected: .malformed),
        Case(name: "sub empty", overrides: ["sub": #""""#], expected: .malformed),
        Case(name: "sub a number", overrides: ["sub": "42"], expected: .malformed),

        // role.
        Case(name: "role unknown", overrides: ["role": #""superuser""#], expected: .badRole),
        Case(name: "role capitalised", overrides: ["role": #""Admin""#], expected: .badRole),
        Case(name: "role missing", overrides: ["role": nil], expected: .badRole),
        Case(name: "role empty", overrides: ["role": #""""#], expected: .badRole),

        // Claims we do not use are ignored.
        Case(name: "unknown extra claim", overrides: ["scope": #""anything""#], expected: nil),
        Case(name: "iat missing", overrides: ["iat": nil], expected: nil),
        // Names are unique at every level (one strict reader for all JSON we take); the same
        // name in different objects, and look-alikes inside values, are not repeats.
        Case(name: "repeated names in a nested object", overrides: ["ext": #"{"a":1,"a":[{"a":2}]}"#], expected: .malformed),
        Case(name: "one name in nested objects", overrides: ["ext": #"{"a":1,"b":[{"a":2}]}"#], expected: nil),
        Case(name: "name-like text in a string", overrides: ["note": #""\",\"sub\":\"x\",{""#], expected: nil),
    ]

    @Test(arguments: cases)
    func checksClaims(_ claimCase: Case) throws {
        let token = mint(payload: Fixture.claims(claimCase.overrides))
        #expect(refusal(of: token, by: try Fixture.verifier()) == claimCase.expected)
    }

    @Test func defaultClaimsGiveTheirPrincipal() throws {
        let principal = try Fixture.verifier().verify(mint(), now: Fixture.now)
        #expect(principal == Principal(userID: "user-42", role: .buyer, tokenID: "token-1"))
    }

    @Test func adminRoleIsRead() throws {
        let token = mint(payload: Fixture.claims(["role": #""admin""#]))
        #expect(try Fixture.verifier().verify(token, now: Fixture.now).role == .admin)
    }

    @Test func tokenIDIsOptional() throws {
        let token = mint(payload: Fixture.claims(["jti": nil]))
        #expect(try Fixture.verifier().verify(token, now: Fixture.now).tokenID == nil)
    }

    /// A configured skew of zero leaves no grace: expired at exp, not yet valid before nbf.
    @Test func zeroSkewIsExact() throws {
        let verifier = try Fixture.verifier(clockSkew: .zero)
        let now = Self.now
        #expect(refusal(of: mint(payload: Fixture.claims(["exp": "\(now + 1)"])), by: verifier) == nil)
        #expect(refusal(of: mint(payload: Fixture.claims(["exp": "\(now)"])), by: verifier) == .expired)
        #expect(refusal(of: mint(payload: Fixture.claims(["nbf": "\(now)"])), by: verifier) == nil)
        #expect(refusal(of: mint(payload: Fixture.claims(["nbf": "\(now + 1)"])), by: verifier) == .notYetValid)
    }

    /// A larger configured skew widens the window: 31 s late is fine with 60 s of skew.
    @Test func configuredSkewIsUsed() throws {
        let token = mint(payload: Fixture.claims(["exp": "\(Self.now - 31)"]))
        #expect(refusal(of: token, by: try Fixture.verifier(clockSkew: .seconds(60))) == nil)
        #expect(refusal(of: token, by: try Fixture.verifier()) == .expired)
    }
}
