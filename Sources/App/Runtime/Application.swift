import API
import Catalog
import HTTPServer
import IOCore
import Inventory
import Orders
import Payments
import Logging
import Metrics
import Observability
import Postgres
import Prometheus
import Redis
import ServiceLifecycle
import UnixSignals
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The composition root: logging, metrics, loops, routes and the server, run until SIGTERM
/// or SIGINT, then shut down gracefully.
public enum Application {
    /// Runs the service with `settings` until a termination signal; returns after a clean stop.
    public static func run(settings: Settings, version: String) async throws {
        try DatabaseSetup.applyPasswordFile(settings.database)
        let authenticator = try AuthSetup.authenticator(settings.auth)
        let loopCount = settings.loopCount > 0 ? settings.loopCount : EventLoopGroup.availableCPUs
        let logSink = LogSink(loopCount: loopCount, bytesPerQueue: settings.log.queueBytes, output: STDOUT_FILENO)
        logSink.start()
        defer {
            logSink.flush()
            logSink.shutdown()
        }
        let level = Logger.Level(rawValue: settings.log.level) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, sink: logSink, level: level) }
        let logger = Logger(label: "groupbuyd")

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "groupbuy", metricName: "build", unitName: "info", helpText: "Always 1; the version is the label."),
            labels: [("version", version)]
        ).set(to: 1)

        let files = OpenFileLimit.raiseToHardLimit()
        registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "groupbuy", metricName: "open_files", unitName: "limit", helpText: "The soft RLIMIT_NOFILE after start.")
        ).set(to: Double(files.after))
        logger.info("open file limit raised", metadata: ["before": "\(files.before)", "after": "\(files.after)"])

        let group = try EventLoopGroup(count: loopCount, pinToCPUs: settings.pinLoops, configuration: settings.loop)
        defer { group.shutdown() }

        let applied = try await DatabaseSetup.prepareSchema(settings.database, migrate: settings.database.migrateOnStart, loop: group.loops[0])
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": "\(applied.summary)"]) }
        let pools = PostgresPools(configuration: DatabaseSetup.poolConfiguration(settings.database), loops: group.loops)
        do {
            try await pools.start()
        } catch {
            await pools.close()
            throw StartFailure.unavailable("cannot open the database pools: \(error)")
        }
        let provider = try PaymentsSetup.provider(settings.payments, loops: group.loops)
        if provider == nil { logger.warning("payments are off: payments.provider_address is not set") }
        let payments = PaymentsService(pools: pools, provider: provider) { mismatch in
            logger.warning(
                "webhook names a payment with other money; nothing changed (see payments reconcile)",
                metadata: [
                    "outcome": "\(mismatch.outcome)", "event": "\(mismatch.eventID)", "type": "\(mismatch.eventType)",
                    "payment": "\(mismatch.paymentID.map(String.init) ?? "-")", "intent": "\(mismatch.intentID)",
                    "amount": "\(mismatch.amount)", "currency": "\(mismatch.currency ?? "-")",
                ]
            )
        }
        let redis = try RedisSetup.clients(settings.redis, loops: group.loops)
        let health = DependencyHealth(
            probes: DependencyHealth.probes(settings: settings, pools: pools, redis: redis, provider: provider),
            maxAge: .milliseconds(settings.health.maxAgeMs), timeout: .milliseconds(settings.health.timeoutMs)
        )
        let catalog = CatalogService(
            pools: pools, store: CatalogStore(slotsPerDeal: settings.catalog.slotsPerDeal), redis: redis,
            cacheSettings: DealCacheSettings(
                ttlSeconds: settings.catalog.cacheTTLSeconds, missingTTLSeconds: settings.catalog.cacheMissingTTLSeconds,
                nearTTL: .milliseconds(settings.catalog.nearCacheTTLMs)
            ),
            render: GroupBuyAPI.dealRenderer, idempotencyTTLSeconds: settings.orders.idempotencyTTLSeconds, loops: group.loops
        )
        let orders = OrdersService(pools: pools, store: OrdersStore(settings: orderStoreSettings(settings.orders)))
        let api = GroupBuyAPI(
            catalog: catalog, orders: orders, payments: payments, authenticator: authenticator,
            allowedExpiryLagSeconds: allowedExpiryLagSeconds(settings.workers),
            webhookSecrets: try PaymentsSetup.webhookSecrets(settings.payments),
            webhookToleranceSeconds: settings.payments.webhookToleranceSeconds
        )
        var jobs = settings.workers.enabled ? orderJobs(settings.workers, pools: pools) : []
        if settings.workers.enabled, let provider {
            jobs.append(PaymentsSetup.outboxJob(settings.payments, provider: provider, pools: pools))
            jobs.append(PaymentsSetup.intentRecoveryJob(settings.payments, payments: payments, provider: provider, pools: pools))
        }
        let workers = BackgroundWorkers(jobs: jobs, loops: group.loops, logger: logger)

        let serverReference = Mutex<HTTPServerMetrics?>(nil)
        let router = try makeRouter(
            settings: settings,
            loopCount: loopCount,
            logger: logger,
            logSink: logSink,
            registry: registry,
            health: health,
            serverMetrics: { serverReference.withLock { $0 } },
            extraMetrics: { text, loop in
                DatabaseMetrics.render(pools.figures, into: &text)
                await OutboxMetrics.render(pools: pools, loop: loop, limit: .milliseconds(settings.health.timeoutMs), into: &text)
                if let redis { RedisSetup.render(await redis.figures(), into: &text) }
                api.renderMetrics(into: &text)
                workers.render(into: &text)
            },
            api: api
        )
        let server = HTTPServer(configuration: settings.server, group: group, router: router, logger: logger)
        serverReference.withLock { $0 = server.metrics }

        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: server), .init(service: workers)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        logger.info("starting", metadata: ["version": "\(version)", "loops": "\(loopCount)", "pid": "\(getpid())"])
        Task(executorPreference: group.loops[0]) { await warnAboutDownDependencies(health, loop: group.loops[0], logger: logger) }
        try await services.run()
        await pools.close()
        await redis?.close()
        logger.info("stopped")
    }

    /// Redis and the card provider are not needed to start; say at once when one is not there.
    static func warnAboutDownDependencies(_ health: DependencyHealth, loop: EventLoop, logger: Logger) async {
        for entry in await health.report(on: loop).entries where entry.status == .down {
            logger.warning(
                "dependency down at start",
                metadata: ["dependency": "\(entry.name)", "address": "\(entry.address ?? "-")", "error": "\(entry.error ?? "-")"]
            )
        }
    }

    static func orderStoreSettings(_ settings: OrderSettings) -> OrdersStore.Settings {
        OrdersStore.Settings(
            strategy: InventoryStrategy(rawValue: settings.inventoryStrategy) ?? .slots,
            paymentWindowSeconds: settings.paymentWindowSeconds, idempotencyTTLSeconds: settings.idempotencyTTLSeconds
        )
    }

    /// The expiry sweeper's period, rounded up to seconds, plus one second of slack.
    static func allowedExpiryLagSeconds(_ settings: WorkerSettings) -> Int {
        (settings.expireOrdersPeriodMs + 999) / 1_000 + 1
    }

    static func orderJobs(_ settings: WorkerSettings, pools: PostgresPools) -> [BackgroundWorkers.Job] {
        let periods: [(OrderSweeper.Task, Int)] = [
            (.expireOrders, settings.expireOrdersPeriodMs), (.failGroups, settings.failGroupsPeriodMs),
            (.confirmGroups, settings.confirmGroupsPeriodMs), (.purgeIdempotencyKeys, settings.purgeIdempotencyKeysPeriodMs),
        ]
        let batchSize = settings.batchSize
        return periods.map { task, periodMs in
            BackgroundWorkers.Job(name: task.rawValue, period: .milliseconds(periodMs), batchSize: batchSize) { loop in
                try await pools.pool(for: loop).withConnection { try await OrderSweeper.run(task, batchSize: batchSize, on: $0) }
            }
        }
    }

    static func makeRouter(
        settings: Settings,
        loopCount: Int,
        logger: Logger,
        logSink: LogSink,
        registry: PrometheusCollectorRegistry,
        health: DependencyHealth? = nil,
        serverMetrics: @escaping @Sendable () -> HTTPServerMetrics?,
        extraMetrics: @escaping @Sendable (inout String, EventLoop) async -> Void = { _, _ in },
        api: GroupBuyAPI? = nil
    ) throws -> Router {
        var routes = RouterBuilder()
        // Order matters: middleware runs in this order before the handler and in reverse after
        // it, so the access log and metrics see the response ErrorMiddleware made of an error.
        routes.add(RequestIDMiddleware(loopCount: loopCount))
        if settings.log.accessLog { routes.add(AccessLogMiddleware(sink: logSink)) }
        routes.add(MetricsMiddleware())
        // Before ErrorMiddleware, so rendered errors carry the CORS headers too.
        if let cors = settings.cors.middlewareConfiguration { routes.add(CORSMiddleware(cors)) }
        routes.add(ErrorMiddleware(logger: logger))
        BenchmarkRoutes.add(to: &routes)
        OperationsRoutes.add(
            to: &routes, health: health, serverMetrics: serverMetrics, extraMetrics: extraMetrics, registry: registry, logSink: logSink
        )
        api?.add(to: &routes)
        return try routes.build()
    }
}
