/// An HS256 secret and the id (`kid`) that tokens name it by. Printing or dumping a key never
/// shows the secret.
public struct JWTKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// RFC 7518 §3.2: an HS256 key must have at least as many bits as the hash, 256.
    static let minimumSecretBytes = 32
    static let maximumIDLength = 64

    public let id: String
    let secret: [UInt8]

    /// A key from raw secret bytes.
    public init(id: String, secret: some Collection<UInt8>) throws(JWTKeyError) {
        guard Self.isValidID(id) else { throw .invalidKeyID(id) }
        guard secret.count >= Self.minimumSecretBytes else { throw .secretTooShort(keyID: id, bytes: secret.count) }
        self.id = id
        self.secret = Array(secret)
    }

    /// A key from a config entry `kid:secret`; the secret is the UTF-8 text after the first `:`,
    /// taken as is (no trimming, no decoding). `position` (from 1) only labels errors.
    init(parsing entry: String, position: Int) throws(JWTKeyError) {
        guard let colon = entry.utf8.firstIndex(of: UInt8(ascii: ":")) else {
            throw .missingSeparator(position: position)
        }
        let id = String(entry[..<colon])
        let secret = entry.utf8[entry.utf8.index(after: colon)...]
        try self.init(id: id, secret: secret)
    }

    private static func isValidID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maximumIDLength
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    true
                default:
                    false
                }
            }
    }

    public var description: String { "JWTKey(id: \(id), secret: \(secret.count) bytes redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["id": id], displayStyle: .struct) }
}
