import IOCore
import Redis

/// Rendered deals in Redis, through the client of the caller's loop.
struct RedisDealCache: DealCacheBackend {
    let clients: RedisClients

    func get(_ key: String, loop: EventLoop) async throws -> [UInt8]? {
        try await clients.client(for: loop).get(key)
    }

    func lease(_ key: String, token: [UInt8], ttlSeconds: Int, loop: EventLoop) async throws -> Bool {
        let answer = try await clients.client(for: loop).command([
            Array("SET".utf8), Array(key.utf8), token, Array("NX".utf8), Array("EX".utf8), Array(String(ttlSeconds).utf8),
        ])
        return !answer.isNull
    }

    func fill(_ key: String, leasedWith token: [UInt8], _ value: [UInt8], ttlSeconds: Int, loop: EventLoop) async throws {
        _ = try await clients.client(for: loop).command([
            Array("EVAL".utf8), Self.fillScript, Array("1".utf8), Array(key.utf8), token, value, Array(String(ttlSeconds).utf8),
        ])
    }

    /// Compare-and-set: the value replaces the loader's own lease, nothing else.
    private static let fillScript = Array(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 end return 0".utf8
    )

    func delete(_ key: String, loop: EventLoop) async throws {
        try await clients.client(for: loop).del(key)
    }
}
