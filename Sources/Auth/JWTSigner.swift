import OpenSSL

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Issues HS256 JWTs signed with the key ring's current key.
public struct JWTSigner: Sendable {
    private let keyRing: JWTKeyRing
    private let issuer: String
    private let audience: String

    /// A signer whose tokens carry `iss` = `issuer` and `aud` = `audience`.
    public init(keyRing: JWTKeyRing, issuer: String, audience: String) {
        self.keyRing = keyRing
        self.issuer = issuer
        self.audience = audience
    }

    /// A compact token for `subject` valid from `now` (to the second) for `ttl` (rounded up to
    /// whole seconds), with a random `jti`. Throws only if the random source fails.
    public func issue(subject: String, role: Role, ttl: Duration, now: Date) throws -> String {
        precondition(!subject.isEmpty, "a token needs a subject")
        precondition(ttl > .zero, "a token's lifetime must be positive")
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        let (seconds, attoseconds) = ttl.components
        let lifetime = seconds + (attoseconds > 0 ? 1 : 0)
        let claims = IssuedClaims(
            sub: subject, role: role.rawValue, iss: issuer, aud: audience,
            iat: issuedAt, nbf: issuedAt, exp: issuedAt + lifetime,
            jti: Base64URL.encode(try SecureRandom.bytes(16))
        )
        let key = keyRing.current
        let header = JWTHeader(alg: "HS256", typ: "JWT", kid: key.id)
        let signingInput =
            Base64URL.encode(JSONCoding.encode(header)) + "." + Base64URL.encode(JSONCoding.encode(claims))
        let signature = HMAC.sha256(key: key.secret, message: signingInput.utf8)
        return signingInput + "." + Base64URL.encode(signature)
    }
}
