/// Why the configured JWT keys were refused. Descriptions name key ids and positions, never
/// secrets (a kid-less entry is reported by position, as all of it may be the secret).
public enum JWTKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No key was configured, so nothing could be signed.
    case noKeys
    /// The entry at this position (counting from 1) has no `:` between kid and secret.
    case missingSeparator(position: Int)
    /// The key id is empty, too long, or uses characters other than letters, digits, `-_.`.
    case invalidKeyID(String)
    /// The secret has fewer bytes than HS256 needs (RFC 7518 §3.2: at least the hash size).
    case secretTooShort(keyID: String, bytes: Int)
    /// Two keys share an id, so a token's `kid` would not say which one signed it.
    case duplicateKeyID(String)

    public var description: String {
        switch self {
        case .noKeys:
            "no JWT signing key is configured"
        case .missingSeparator(let position):
            "JWT key entry #\(position) is not in the form kid:secret"
        case .invalidKeyID(let id):
            "JWT key id \"\(id)\" is invalid: use 1 to \(JWTKey.maximumIDLength) letters, digits, '-', '_' or '.'"
        case .secretTooShort(let id, let bytes):
            "JWT key \"\(id)\" has a \(bytes)-byte secret; at least \(JWTKey.minimumSecretBytes) bytes are required"
        case .duplicateKeyID(let id):
            "JWT key id \"\(id)\" is configured more than once"
        }
    }
}
