import IOCore
import Redis

/// The per-loop Redis clients from settings, and their figures for /metrics.
enum RedisSetup {
    /// nil when `redis.url` is empty (the cache is off).
    static func clients(_ settings: RedisSettings, loops: [EventLoop]) throws -> RedisClients? {
        guard !settings.url.isEmpty else { return nil }
        var configuration: RedisClient.Configuration
        do {
            configuration = try RedisClient.Configuration(url: settings.url)
        } catch {
            throw StartFailure.configuration("redis.url \(settings.url): \(error)")
        }
        configuration.connection.connectTimeout = .milliseconds(settings.connectTimeoutMs)
        configuration.connection.commandTimeout = .milliseconds(settings.commandTimeoutMs)
        configuration.failureThreshold = settings.breakerFailures
        configuration.coolDown = .milliseconds(settings.breakerOpenMs)
        return RedisClients(configuration: configuration, loops: loops)
    }

    static func render(_ figures: [RedisClient.Figures], into text: inout String) {
        text += "# HELP groupbuy_redis_breaker_open 1 while a loop's Redis circuit breaker is open or half-open.\n"
        text += "# TYPE groupbuy_redis_breaker_open gauge\n"
        for (loop, client) in figures.enumerated() {
            text += "groupbuy_redis_breaker_open{loop=\"\(loop)\"} \(client.breaker == .closed ? 0 : 1)\n"
        }
        let counters: [(String, String, KeyPath<RedisClient.Figures, Int>)] = [
            ("groupbuy_redis_commands_total", "Commands sent to Redis.", \.commands),
            ("groupbuy_redis_timeouts_total", "Commands that timed out.", \.timeouts),
            ("groupbuy_redis_rejected_total", "Calls refused by the open breaker.", \.rejected),
            ("groupbuy_redis_breaker_opened_total", "Times the breaker opened.", \.timesOpened),
            ("groupbuy_redis_connections_opened_total", "Redis connections established.", \.connectionsOpened),
        ]
        for (name, help, path) in counters {
            text += "# HELP \(name) \(help)\n# TYPE \(name) counter\n"
            for (loop, client) in figures.enumerated() {
                text += "\(name){loop=\"\(loop)\"} \(client[keyPath: path])\n"
            }
        }
    }
}
