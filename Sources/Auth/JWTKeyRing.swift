/// The HS256 keys we hold: one current key that signs new tokens, and older keys that still
/// verify tokens signed before a rotation. To rotate: put the new key first and keep the old
/// one listed for at least the longest token lifetime, then remove it; its tokens are then
/// refused as signed by an unknown key.
public struct JWTKeyRing: Sendable, CustomStringConvertible {
    /// The key new tokens are signed with.
    public let current: JWTKey
    private let keysByID: [String: JWTKey]

    /// A ring of `current` plus `previous` keys accepted for verification only.
    public init(current: JWTKey, previous: [JWTKey] = []) throws(JWTKeyError) {
        var keysByID: [String: JWTKey] = [:]
        for key in [current] + previous {
            guard keysByID.updateValue(key, forKey: key.id) == nil else { throw .duplicateKeyID(key.id) }
        }
        self.current = current
        self.keysByID = keysByID
    }

    /// A ring from config entries `kid:secret`: the first signs, the rest only verify.
    public init(parsing entries: [String]) throws(JWTKeyError) {
        var keys: [JWTKey] = []
        for (offset, entry) in entries.enumerated() {
            keys.append(try JWTKey(parsing: entry, position: offset + 1))
        }
        guard let current = keys.first else { throw .noKeys }
        try self.init(current: current, previous: Array(keys.dropFirst()))
    }

    /// The key a token's `kid` names; a token without `kid` is checked against the current key
    /// (RFC 7515 makes `kid` optional, and this is the key such a token must come from).
    func key(named id: String?) -> JWTKey? {
        guard let id else { return current }
        return keysByID[id]
    }

    public var description: String {
        "JWTKeyRing(current: \(current.id), accepted: \(keysByID.keys.sorted().joined(separator: ", ")))"
    }
}
