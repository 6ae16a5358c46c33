public import Catalog
public import Orders
public import Payments
public import HTTPServer

/// The REST API: every business route, ready to be added to the server's router.
public struct GroupBuyAPI: Sendable {
    let catalogRoutes: CatalogRoutes
    let orderRoutes: OrderRoutes
    let adminOrderRoutes: AdminOrderRoutes
    let paymentRoutes: PaymentRoutes
    let adminOutboxRoutes: AdminOutboxRoutes
    let tokenRoutes: TokenRoutes
    /// Its deal cache's figures go to /metrics.
    package let catalog: CatalogService

    /// - Parameters:
    ///   - allowedExpiryLagSeconds: how long past its payment window an unpaid order may hold
    ///     stock before the inventory check reports it stuck (the expiry sweeper's period).
    ///   - webhookSecrets: the secrets provider webhooks may be signed with (several while rotating).
    public init(
        catalog: CatalogService, orders: OrdersService, payments: PaymentsService, authenticator: Authenticator,
        allowedExpiryLagSeconds: Int, webhookSecrets: [String], webhookToleranceSeconds: Int
    ) {
        self.catalog = catalog
        catalogRoutes = CatalogRoutes(catalog: catalog, auth: authenticator)
        orderRoutes = OrderRoutes(orders: orders, auth: authenticator)
        adminOrderRoutes = AdminOrderRoutes(orders: orders, auth: authenticator, allowedExpiryLagSeconds: allowedExpiryLagSeconds)
        tokenRoutes = TokenRoutes(auth: authenticator, catalog: catalog)
        paymentRoutes = PaymentRoutes(
            payments: payments, auth: authenticator, webhookSecrets: webhookSecrets, webhookTolerance: Int64(webhookToleranceSeconds)
        )
        adminOutboxRoutes = AdminOutboxRoutes(payments: payments, auth: authenticator)
    }

    /// The group every route of the API is in.
    static let routePrefix = "/v1"
    /// Every route of the API is under this path (CORS applies to it, not to /metrics).
    public static let pathPrefix = routePrefix + "/"
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

    /// The representation of a deal the catalog's cache stores and serves: its JSON.
    public static let dealRenderer: DealRenderer = { deal, loop in
        BodyWriter.render(on: loop) { $0.json { DealRendering.write(deal, into: &$0) } }
    }

    /// Adds the routes, under `/v1` with the translation of what they throw into problems, and
    /// the refusal of repeated singleton headers (after the caller's ErrorMiddleware, which
    /// renders both). `extraRoutes` go into the API's group too, translation included.
    public func add(to routes: inout RouterBuilder, extraRoutes: (inout RouteGroup) -> Void = { _ in }) {
        routes.add(
            SingletonHeadersMiddleware(names: Self.singletonHeaders, problemType: ProblemType.repeatedHeader.uri, title: ProblemType.repeatedHeader.title)
        )
        routes.group(Self.routePrefix) { v1 in
            v1.add(DomainErrorMiddleware())
            catalogRoutes.add(to: &v1)
            orderRoutes.add(to: &v1)
            adminOrderRoutes.add(to: &v1)
            paymentRoutes.add(to: &v1)
            adminOutboxRoutes.add(to: &v1)
            tokenRoutes.add(to: &v1)
            extraRoutes(&v1)
        }
    }

    /// Prometheus text for the API's own figures.
    public func renderMetrics(into text: inout String) {
        text += "# HELP groupbuy_deal_cache_total Deal reads by cache outcome, and database loads.\n"
        text += "# TYPE groupbuy_deal_cache_total counter\n"
        let outcomes: [(String, DealReads.Figure)] = [
            ("near_hit", .nearHits), ("hit", .hits), ("miss", .misses), ("negative_hit", .negativeHits), ("load", .loads), ("cache_error", .cacheErrors),
        ]
        for (name, figure) in outcomes {
            text += "groupbuy_deal_cache_total{outcome=\"\(name)\"} \(catalog.reads.total(figure))\n"
        }
    }
}
