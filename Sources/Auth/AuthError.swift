/// Why a bearer token was refused. The description is safe to send back in a 401 problem
/// detail: it never quotes the token, a secret, or a claim's value.
public struct AuthError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// Not a well-formed HS256 JWT: size, segments, base64url, JSON, or a required claim.
        case malformed
        /// The signature does not match the key the header names.
        case badSignature
        /// `exp` has passed (beyond the allowed clock skew).
        case expired
        /// `nbf` is still in the future (beyond the allowed clock skew).
        case notYetValid
        /// `iss` is missing or not ours.
        case wrongIssuer
        /// `aud` is missing or does not name us.
        case wrongAudience
        /// The header's `kid` names no key we hold (or a key since retired).
        case unknownKey
        /// `alg` is missing or anything but exactly "HS256".
        case unsupportedAlgorithm
        /// `role` is missing or not one of the roles we know.
        case badRole
    }

    public let kind: Kind
    /// One sentence for people; fixed text written here, never taken from the token.
    public let description: String

    init(_ kind: Kind, _ description: String) {
        self.kind = kind
        self.description = description
    }

    static func malformed(_ description: String) -> AuthError { AuthError(.malformed, description) }
}
