public import Catalog
public import Orders
public import Payments
public import HTTPServer
public import IOCore

/// The REST API: every business route, ready to be added to the server's router.
public struct GroupBuyAPI: Sendable {
    public struct CacheSettings: Sendable {
        public var ttlSeconds: Int
        public var missingTTLSeconds: Int
        /// The per-loop near cache in front of Redis (zero: off).
        public var nearTTL: Duration

        public init(ttlSeconds: Int, missingTTLSeconds: Int, nearTTL: Duration = .zero) {
            self.ttlSeconds = ttlSeconds
            self.missingTTLSeconds = missingTTLSeconds
            self.nearTTL = nearTTL
        }
    }

    let catalogRoutes: CatalogRoutes
    let orderRoutes: OrderRoutes
    let adminOrderRoutes: AdminOrderRoutes
    let paymentRoutes: PaymentRoutes
    let adminOutboxRoutes: AdminOutboxRoutes
    let tokenRoutes: TokenRoutes
    let reads: DealReads

    /// - Parameters:
    ///   - dealCache: where rendered deals are cached; nil reads every deal from PostgreSQL.
    ///   - allowedExpiryLagSeconds: how long past its payment window an unpaid order may hold
    ///     stock before the inventory check reports it stuck (the expiry sweeper's period).
    ///   - webhookSecrets: the secrets provider webhooks may be signed with (several while rotating).
    public init(
        catalog: Catalog, orders: Orders, payments: Payments, authenticator: Authenticator, dealCache: DealCache?, cacheSettings: CacheSettings,
        allowedExpiryLagSeconds: Int, webhookSecrets: [String], webhookToleranceSeconds: Int, loops: [EventLoop]
    ) {
        reads = DealReads(
            catalog: catalog, cache: dealCache?.backend,
            settings: DealReads.Settings(
                ttlSeconds: cacheSettings.ttlSeconds, missingTTLSeconds: cacheSettings.missingTTLSeconds, nearTTL: cacheSettings.nearTTL
            ),
            loops: loops
        )
        catalogRoutes = CatalogRoutes(catalog: catalog, reads: reads, auth: authenticator, orders: orders)
        orderRoutes = OrderRoutes(orders: orders, auth: authenticator)
        adminOrderRoutes = AdminOrderRoutes(orders: orders, auth: authenticator, allowedExpiryLagSeconds: allowedExpiryLagSeconds)
        tokenRoutes = TokenRoutes(auth: authenticator, catalog: catalog)
        paymentRoutes = PaymentRoutes(
            payments: payments, auth: authenticator, webhookSecrets: webhookSecrets, webhookTolerance: Int64(webhookToleranceSeconds)
        )
        adminOutboxRoutes = AdminOutboxRoutes(payments: payments, auth: authenticator)
    }

    /// Every route of the API is under this path (CORS applies to it, not to /metrics).
    public static let pathPrefix = "/v1/"
    /// For CORS: the methods, the request headers a browser script may send beyond the
    /// safelisted ones, and the response headers it may read.
    public static let corsMethods = ["GET", "HEAD", "POST", "PATCH"]
    public static let corsRequestHeaders = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match", "If-None-Match", "X-Request-Id"]
    public static let corsExposedHeaders = ["ETag", "Location", "Retry-After", "X-Request-Id"]

    /// Header fields the handlers read one of; a request repeating one is refused (400).
    /// If-Match and If-None-Match are lists by RFC 9110, but one line must carry the whole list.
    static let singletonHeaders: [StaticString] = [
        "authorization", "content-type", "idempotency-key", "if-match", "if-none-match", "psp-signature", "x-request-id", "origin",
    ]

    /// Adds the routes, and the refusal of repeated singleton headers (after the caller's
    /// ErrorMiddleware, which renders it).
    public func add(to routes: inout RouterBuilder) {
        routes.add(
            SingletonHeadersMiddleware(names: Self.singletonHeaders, problemType: ProblemType.repeatedHeader.uri, title: ProblemType.repeatedHeader.title)
        )
        catalogRoutes.add(to: &routes)
        orderRoutes.add(to: &routes)
        adminOrderRoutes.add(to: &routes)
        paymentRoutes.add(to: &routes)
        adminOutboxRoutes.add(to: &routes)
        tokenRoutes.add(to: &routes)
    }

    /// Prometheus text for the API's own figures.
    public func renderMetrics(into text: inout String) {
        text += "# HELP groupbuy_deal_cache_total Deal reads by cache outcome, and database loads.\n"
        text += "# TYPE groupbuy_deal_cache_total counter\n"
        let outcomes: [(String, DealReads.Figure)] = [
            ("near_hit", .nearHits), ("hit", .hits), ("miss", .misses), ("negative_hit", .negativeHits), ("load", .loads), ("cache_error", .cacheErrors),
        ]
        for (name, figure) in outcomes {
            text += "groupbuy_deal_cache_total{outcome=\"\(name)\"} \(reads.total(figure))\n"
        }
    }
}

/// A cache for rendered deals (see `RedisDealCache`).
public struct DealCache: Sendable {
    let backend: any DealCacheBackend
}
