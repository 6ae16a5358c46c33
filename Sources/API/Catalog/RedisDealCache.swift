import IOCore
public import Redis

/// Rendered deals in Redis, through the client of the caller's loop.
struct RedisDealCache: DealCacheBackend {
    let clients: RedisClients

    func get(_ key: String, loop: EventLoop) async throws -> [UInt8]? {
        try await clients.client(for: loop).get(key)
    }

    func set(_ key: String, _ value: [UInt8], ttlSeconds: Int, loop: EventLoop) async throws {
        try await clients.client(for: loop).set(key, value, ttl: .seconds(ttlSeconds))
    }

    func delete(_ key: String, loop: EventLoop) async throws {
        try await clients.client(for: loop).del(key)
    }
}

extension DealCache {
    /// Deals cached in Redis.
    public static func redis(_ clients: RedisClients) -> DealCache {
        DealCache(backend: RedisDealCache(clients: clients))
    }
}
