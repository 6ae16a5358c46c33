public import HTTPServer
public import IOCore
import HTTPCodec

/// Everything the service can be told at start. Each key, its default and what it does is
/// written down in config/groupbuy.yaml; `groupbuyd --print-config` shows the effective values.
public struct Settings: Sendable {
    /// Event loops (0: one per CPU this process may use).
    public var loopCount = 0
    /// Pin loop i to the i-th allowed CPU.
    public var pinLoops = false
    public var loop = EventLoop.Configuration()
    public var server = ServerConfiguration()
    public var log = LogSettings()
    public var health = HealthSettings()
    public var database = DatabaseSettings()
    public var redis = RedisSettings()
    public var catalog = CatalogSettings()
    public var auth = AuthSettings()
    public var orders = OrderSettings()
    public var workers = WorkerSettings()
    public var payments = PaymentSettings()
    public var cors = CORSSettings()

    public struct LogSettings: Sendable {
        /// trace, debug, info, notice, warning, error, critical
        public var level = "info"
        /// One JSON line per request.
        public var accessLog = true
        /// Bytes each log queue holds before lines are dropped.
        public var queueBytes = 1 << 20
    }

    /// The effective value and source of every setting, in reading order (secrets hidden,
    /// passwords in URLs masked); `variable` names the environment variable that gave it.
    public internal(set) var entries: [(key: String, value: String, source: String, variable: String?)] = []

    public init() {}

    /// Loads the settings; throws naming every key whose value is invalid, and every
    /// `GROUPBUY_*` variable or file key that is not a setting.
    public static func load(environment: [String: String], configFile: String?) async throws(SettingsError) -> Settings {
        var reader = try await SettingsReader(environment: environment, filePath: configFile)
        var settings = Settings()
        settings.read(&reader)
        var problems = reader.problems + reader.unknownNames()
        if problems.isEmpty {
            // Rules across keys, once every single value is valid.
            problems = settings.server.problems(bufferChunkSize: settings.loop.bufferChunkSize).map { "server: \($0)" }
            if settings.database.poolMin > settings.database.poolMax {
                problems.append("database: pool_min (\(settings.database.poolMin)) is larger than pool_max (\(settings.database.poolMax))")
            }
            if settings.orders.inventoryStrategy == "single_row" && settings.catalog.slotsPerDeal != 1 {
                problems.append("orders: inventory_strategy single_row needs catalog.slots_per_deal = 1 (it is \(settings.catalog.slotsPerDeal))")
            }
            problems += settings.cors.problems()
        }
        guard problems.isEmpty else { throw SettingsError(problems: problems) }
        settings.loop.bufferScratchBytes = settings.server.scratchBytesPerChunk
        settings.entries = reader.entries.map { ($0.key, $0.value, $0.source.rawValue, $0.variable) }
        return settings
    }

    private mutating func read(_ reader: inout SettingsReader) {
        let defaults = Settings()
        let ms = { (duration: Duration) in Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000) }
        let hour = 3_600_000

        loopCount = reader.int("loops.count", default: defaults.loopCount, in: 0...1_024)
        pinLoops = reader.bool("loops.pin_cpus", default: defaults.pinLoops)
        loop.eventBatchSize = reader.int("loops.event_batch", default: defaults.loop.eventBatchSize, in: 1...65_536)
        loop.bufferChunkSize = reader.int("buffers.chunk_bytes", default: defaults.loop.bufferChunkSize, in: 4_096...1 << 20)
        loop.buffersPreallocated = reader.int("buffers.preallocated", default: defaults.loop.buffersPreallocated, in: 0...1 << 20)
        loop.buffersMaxFree = reader.int("buffers.max_free", default: defaults.loop.buffersMaxFree, in: 0...1 << 20)

        server.host = reader.string("server.host", default: defaults.server.host)
        server.port = reader.int("server.port", default: defaults.server.port, in: 0...65_535)
        server.maxConnections = reader.int("server.max_connections", default: defaults.server.maxConnections, in: 1...10_000_000)
        server.socket.backlog = Int32(reader.int("server.backlog", default: Int(defaults.server.socket.backlog), in: 1...65_535))
        server.socket.reusePort = reader.bool("server.reuse_port", default: defaults.server.socket.reusePort)
        server.socket.tcpNoDelay = reader.bool("server.tcp_nodelay", default: defaults.server.socket.tcpNoDelay)
        server.socket.deferAcceptSeconds = Int32(
            reader.int("server.tcp_defer_accept_seconds", default: Int(defaults.server.socket.deferAcceptSeconds), in: 0...60)
        )
        server.socket.fastOpenQueueLength = Int32(
            reader.int("server.tcp_fastopen_queue", default: Int(defaults.server.socket.fastOpenQueueLength), in: 0...65_535)
        )
        server.maxRequestsPerConnection = reader.int(
            "server.max_requests_per_connection", default: defaults.server.maxRequestsPerConnection, in: 0...Int(Int32.max)
        )
        server.headerTimeout = reader.milliseconds("server.header_timeout_ms", default: ms(defaults.server.headerTimeout), in: 1...hour)
        server.bodyTimeout = reader.milliseconds("server.body_timeout_ms", default: ms(defaults.server.bodyTimeout), in: 1...hour)
        server.idleTimeout = reader.milliseconds("server.idle_timeout_ms", default: ms(defaults.server.idleTimeout), in: 1...hour)
        server.writeTimeout = reader.milliseconds("server.write_timeout_ms", default: ms(defaults.server.writeTimeout), in: 1...hour)
        server.requestTimeout = reader.milliseconds("server.request_timeout_ms", default: ms(defaults.server.requestTimeout), in: 1...hour)
        server.shutdownGracePeriod = reader.milliseconds(
            "server.shutdown_grace_ms", default: ms(defaults.server.shutdownGracePeriod), in: 0...hour
        )

        let limits = defaults.server.limits
        server.limits.maxRequestLineBytes = reader.int("http.max_request_line_bytes", default: limits.maxRequestLineBytes, in: 64...1 << 20)
        server.limits.maxHeaderBytes = reader.int("http.max_header_bytes", default: limits.maxHeaderBytes, in: 64...1 << 20)
        server.limits.maxHeaderCount = reader.int("http.max_header_count", default: limits.maxHeaderCount, in: 1...1_000)
        server.limits.maxBodyBytes = reader.int("http.max_body_bytes", default: limits.maxBodyBytes, in: 0...1 << 30)

        log.level = reader.string(
            "log.level", default: defaults.log.level, oneOf: ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        )
        log.accessLog = reader.bool("log.access", default: defaults.log.accessLog)
        log.queueBytes = reader.int("log.queue_bytes", default: defaults.log.queueBytes, in: 4_096...1 << 30)
        health.maxAgeMs = reader.int("health.max_age_ms", default: defaults.health.maxAgeMs, in: 0...hour)
        health.timeoutMs = reader.int("health.timeout_ms", default: defaults.health.timeoutMs, in: 1...60_000)

        readServices(&reader, defaults: defaults)
        readCORS(&reader, defaults: defaults)
    }
}
