import IOCore
import PSPClient
import Postgres
import Redis

extension DependencyHealth {
    /// PostgreSQL (a `SELECT 1` on a pooled connection of the probing loop), Redis (a PING
    /// through the loop's client, so an open breaker shows as down at once) and the card
    /// provider (the cheapest authenticated call: one intent of the list).
    static func probes(settings: Settings, pools: PostgresPools, redis: RedisClients?, provider: PSPClient?) -> [Probe] {
        let postgres: @Sendable (EventLoop) async throws -> Void = { loop in
            do {
                _ = try await pools.pool(for: loop).withConnection { try await $0.query("SELECT 1") }
            } catch PostgresPool.PoolError.exhausted {
                throw ProbeFailure("no pooled connection became free within database.acquire_timeout_ms (pool exhausted)")
            }
        }
        var cache: (@Sendable (EventLoop) async throws -> Void)?
        if let redis {
            cache = { loop in try await redis.client(for: loop).ping() }
        }
        var payments: (@Sendable (EventLoop) async throws -> Void)?
        if let provider {
            payments = { _ in _ = try await provider.listIntents(limit: 1) }
        }
        return [
            Probe(name: "postgres", address: ConnectionURL.address(settings.database.url, defaultPort: 5432), check: postgres),
            Probe(name: "redis", address: redis == nil ? nil : ConnectionURL.address(settings.redis.url, defaultPort: 6379), check: cache),
            Probe(name: "payments", address: provider == nil ? nil : settings.payments.providerAddress, check: payments),
        ]
    }

    struct ProbeFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
