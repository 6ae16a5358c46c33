import OpenSSL

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Checks HS256 JWTs from clients and says whom they speak for. Only what we sign is accepted:
/// `alg` exactly "HS256", a key from our ring, and our issuer and audience.
public struct JWTVerifier: Sendable {
    let keyRing: JWTKeyRing
    let issuer: String
    let audience: String
    /// Seconds by which `exp` and `nbf` may be off, for clocks that disagree a little.
    let clockSkew: Double
    let maximumTokenBytes: Int

    /// A verifier accepting tokens from `issuer` for `audience`. `maximumTokenBytes` bounds the
    /// work an unauthenticated client can ask for; our own tokens are about 300 bytes.
    public init(
        keyRing: JWTKeyRing,
        issuer: String,
        audience: String,
        clockSkew: Duration = .seconds(30),
        maximumTokenBytes: Int = 4096
    ) {
        precondition(clockSkew >= .zero, "clock skew must not be negative")
        let (seconds, attoseconds) = clockSkew.components
        self.keyRing = keyRing
        self.issuer = issuer
        self.audience = audience
        self.clockSkew = Double(seconds) + Double(attoseconds) / 1e18
        self.maximumTokenBytes = maximumTokenBytes
    }

    /// The principal of a valid token; throws why it is not valid otherwise.
    public func verify(_ token: some StringProtocol, now: Date) throws(AuthError) -> Principal {
        let claims = try verifiedClaims(of: token)
        return try principal(from: claims, at: now.timeIntervalSince1970)
    }

    /// Structure, header and signature: the claims of a token our key really signed.
    private func verifiedClaims(of token: some StringProtocol) throws(AuthError) -> ReceivedClaims {
        guard token.utf8.count <= maximumTokenBytes else {
            throw .malformed("the token is longer than \(maximumTokenBytes) bytes")
        }
        let bytes = Array(token.utf8)
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else {
            throw .malformed("a token has 3 dot-separated parts, this one has \(dots.count + 1)")
        }
        let headerPart = bytes[..<dots[0]]
        let payloadPart = bytes[(dots[0] + 1)..<dots[1]]
        let signaturePart = bytes[(dots[1] + 1)...]

        guard let headerJSON = Base64URL.decode(headerPart) else {
            throw .malformed("the token header is not unpadded base64url")
        }
        guard let header = JSONCoding.decodeObject(JWTHeader.self, from: headerJSON) else {
            throw .malformed("the token header is not a JSON object of the expected shape with unique names")
        }
        // Exact match: "none", other algorithms and other spellings are refused before any
        // key is touched, so no token can choose how it is checked (RFC 8725 §2.1, §3.1).
        guard header.alg == "HS256" else {
            throw AuthError(.unsupportedAlgorithm, "only HS256 tokens are accepted")
        }
        guard header.crit == nil else {
            throw .malformed("the token header lists critical extensions, which are not supported")
        }
        guard let key = keyRing.key(named: header.kid) else {
            throw AuthError(.unknownKey, "the token is signed with a key that is not (or no longer) accepted")
        }
        guard let signature = Base64URL.decode(signaturePart) else {
            throw .malformed("the token signature is not unpadded base64url")
        }
        // The MAC covers the bytes exactly as received, never a re-encoding of the parsed header.
        let expected = HMAC.sha256(key: key.secret, message: bytes[..<dots[1]])
        guard constantTimeEquals(expected, signature) else {
            throw AuthError(.badSignature, "the token signature is invalid")
        }

        guard let payloadJSON = Base64URL.decode(payloadPart) else {
            throw .malformed("the token payload is not unpadded base64url")
        }
        guard let claims = JSONCoding.decodeObject(ReceivedClaims.self, from: payloadJSON) else {
            throw .malformed("the token payload is not a JSON object of the expected shape with unique names")
        }
        return claims
    }
}
