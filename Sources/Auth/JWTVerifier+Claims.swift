extension JWTVerifier {
    /// Time, issuer, audience, subject and role of signed claims (RFC 7519 §4.1), at `now`
    /// seconds since 1970.
    func principal(from claims: ReceivedClaims, at now: Double) throws(AuthError) -> Principal {
        // Without exp a token would be valid forever: refuse rather than assume a lifetime.
        guard let expiry = claims.exp, expiry.isFinite else {
            throw .malformed("the token has no expiry (exp)")
        }
        // RFC 7519 §4.1.4: valid only while now is before exp.
        guard now < expiry + clockSkew else {
            throw AuthError(.expired, "the token has expired")
        }
        if let notBefore = claims.nbf {
            guard notBefore.isFinite else { throw .malformed("the token's nbf is not a time") }
            guard now >= notBefore - clockSkew else {
                throw AuthError(.notYetValid, "the token is not valid yet")
            }
        }
        guard claims.iss == issuer else {
            throw AuthError(.wrongIssuer, "the token was not issued by this service")
        }
        guard let audience = claims.aud, audience.contains(self.audience) else {
            throw AuthError(.wrongAudience, "the token is not meant for this service")
        }
        guard let subject = claims.sub, !subject.isEmpty else {
            throw .malformed("the token names no subject (sub)")
        }
        guard let roleName = claims.role, let role = Role(rawValue: roleName) else {
            throw AuthError(.badRole, "the token's role is missing or unknown")
        }
        return Principal(userID: subject, role: role, tokenID: claims.jti)
    }
}
