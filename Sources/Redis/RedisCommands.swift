/// Runs Redis commands: a `RedisConnection`, or a `RedisClient` that manages one. The
/// conveniences below are written once for both.
public protocol RedisCommands: AnyObject, Sendable {
    /// Sends one command with binary-safe arguments; an error reply throws `.server`.
    func command(_ arguments: [[UInt8]]) async throws -> RedisValue
}

extension RedisCommands {
    /// Sends one command whose arguments are text (sent as UTF-8).
    public func command(_ arguments: [String]) async throws -> RedisValue {
        try await command(arguments.map { Array($0.utf8) })
    }

    /// The value at `key`, or nil when there is none.
    public func get(_ key: String) async throws -> [UInt8]? {
        let value = try await command(["GET", key])
        return value.isNull ? nil : value.bytes
    }

    /// Stores `value` at `key`, expiring after `ttl` if given.
    public func set(_ key: String, _ value: [UInt8], ttl: Duration? = nil) async throws {
        var arguments = [Array("SET".utf8), Array(key.utf8), value]
        if let ttl {
            let (seconds, attoseconds) = ttl.components
            if attoseconds == 0 && seconds > 0 {
                arguments += [Array("EX".utf8), Array(String(seconds).utf8)]
            } else {
                // Sub-second precision; never 0, which Redis refuses.
                let milliseconds = max(1, (ttl.nanosecondsRoundedUp + 999_999) / 1_000_000)
                arguments += [Array("PX".utf8), Array(String(milliseconds).utf8)]
            }
        }
        _ = try await command(arguments)
    }

    /// Stores the UTF-8 of `value` at `key`, expiring after `ttl` if given.
    public func set(_ key: String, _ value: String, ttl: Duration? = nil) async throws {
        try await set(key, Array(value.utf8), ttl: ttl)
    }

    /// Deletes `keys`; returns how many existed.
    @discardableResult
    public func del(_ keys: String...) async throws -> Int {
        Int(try await command(["DEL"] + keys).integer ?? 0)
    }

    /// A round trip that changes nothing.
    public func ping() async throws {
        _ = try await command(["PING"])
    }
}

extension Duration {
    fileprivate var nanosecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return seconds * 1_000_000_000 + (attoseconds + 999_999_999) / 1_000_000_000
    }
}

extension RedisConnection: RedisCommands {}
