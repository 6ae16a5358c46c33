/// One reply of the Redis protocol (RESP2), copied out of hiredis' reply object.
public enum RedisValue: Sendable, Hashable {
    /// A status reply such as `OK` or `PONG`.
    case simpleString(String)
    /// A bulk string: arbitrary bytes (binary-safe).
    case bulkString([UInt8])
    case integer(Int64)
    case array([RedisValue])
    /// The nil bulk string or nil array (e.g. GET of a missing key).
    case null
    /// An error reply nested in an array (EXEC, scripts). A top-level error reply is thrown
    /// as `RedisError.server` instead.
    case error(String)

    /// The text of a status or bulk string (nil when the bytes are not valid UTF-8).
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }

    /// The bytes of a bulk or status string.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The value of an integer reply.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The elements of an array reply.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool { self == .null }
}
