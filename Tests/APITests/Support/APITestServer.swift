import API
import Auth
import Catalog
import Foundation
import Testing
import HTTPServer
import Idempotency
import IOCore
import Inventory
import Orders
import Payments
import Logging
import Postgres
import Redis

let testDatabaseURL = ProcessInfo.processInfo.environment["GROUPBUY_TEST_DATABASE_URL"]
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

/// The API on a real server over TCP, with real PostgreSQL pools on its loops (the test
/// database, migrated), and tokens signed with the key the server trusts.
final class APITestServer: Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let pools: PostgresPools
    let port: Int
    let signer: JWTSigner
    let api: GroupBuyAPI

    static let webhookSecret = "whsec_api_tests"
    static let keyRing = try! JWTKeyRing(parsing: ["test:api-tests-secret-of-at-least-32-bytes!"])

    private init(group: EventLoopGroup, server: HTTPServer, pools: PostgresPools, port: Int, signer: JWTSigner, api: GroupBuyAPI) {
        self.api = api
        self.group = group
        self.server = server
        self.pools = pools
        self.port = port
        self.signer = signer
    }

    static func start(
        databaseURL: String? = nil,
        loops: Int = 2,
        pool: (inout PostgresPool.Configuration) -> Void = { _ in },
        redisURL: String? = nil,
        nearCacheTTL: Duration = .zero,
        missingTTLSeconds: Int = 5,
        slotsPerDeal: Int = 4,
        orders orderSettings: OrdersStore.Settings = OrdersStore.Settings(),
        provider: (any PaymentProvider)? = nil,
        webhookSecret: String = APITestServer.webhookSecret,
        cors: CORSMiddleware.Configuration? = nil,
        extraRoutes: @Sendable (inout RouterBuilder, PostgresPools) -> Void = { _, _ in },
        apiRoutes: @Sendable (inout RouteGroup, PostgresPools) -> Void = { _, _ in }
    ) async throws -> APITestServer {
        let url = try #require(databaseURL ?? testDatabaseURL)
        var serverConfiguration = ServerConfiguration()
        serverConfiguration.host = "127.0.0.1"
        serverConfiguration.port = 0
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = serverConfiguration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: loops, configuration: loopConfiguration)
        try await migrate(url: url, loop: group.loops[0])
        var configuration = PostgresPool.Configuration(conninfo: url)
        configuration.minConnections = 0
        configuration.statements = CatalogStatements.all + OrdersStatements.all + IdempotencyStatements.all + InventoryStatements.all
            + PaymentsStatements.all
        pool(&configuration)
        let pools = PostgresPools(configuration: configuration, loops: group.loops)
        try await pools.start()
        let redis = try redisURL.map { RedisClients(configuration: try RedisTestConfiguration.make($0), loops: group.loops) }
        let catalog = CatalogService(
            pools: pools, store: CatalogStore(slotsPerDeal: slotsPerDeal), redis: redis,
            cacheSettings: DealCacheSettings(ttlSeconds: 30, missingTTLSeconds: missingTTLSeconds, nearTTL: nearCacheTTL),
            render: GroupBuyAPI.dealRenderer, idempotencyTTLSeconds: orderSettings.idempotencyTTLSeconds, loops: group.loops
        )
        let api = GroupBuyAPI(
            catalog: catalog, orders: OrdersService(pools: pools, store: OrdersStore(settings: orderSettings)),
            payments: PaymentsService(pools: pools, provider: provider),
            authenticator: Authenticator(
                verifier: JWTVerifier(keyRing: keyRing, issuer: "groupbuy", audience: "groupbuy-api"),
                signer: JWTSigner(keyRing: keyRing, issuer: "groupbuy", audience: "groupbuy-api")
            ),
            allowedExpiryLagSeconds: 2, webhookSecrets: [webhookSecret], webhookToleranceSeconds: 300
        )
        var routes = RouterBuilder()
        if let cors { routes.add(CORSMiddleware(cors)) }
        // A 500's cause goes to the test output: the answer itself says nothing about it.
        var errorLogger = Logger(label: "api-test", factory: { StreamLogHandler.standardError(label: $0) })
        errorLogger.logLevel = .error
        routes.add(ErrorMiddleware(logger: errorLogger))
        api.add(to: &routes) { apiRoutes(&$0, pools) }
        extraRoutes(&routes, pools)
        let server = HTTPServer(
            configuration: serverConfiguration, group: group, router: try routes.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let port = try await server.start()
        return APITestServer(
            group: group, server: server, pools: pools, port: port,
            signer: JWTSigner(keyRing: keyRing, issuer: "groupbuy", audience: "groupbuy-api"), api: api
        )
    }

    /// Migrations are applied once per database; concurrent suites take turns on the lock.
    static func migrate(url: String, loop: EventLoop) async throws {
        let migrator = try Migrator.load(directory: repositoryRoot.appendingPathComponent("migrations").path)
        try await Task(executorPreference: loop) {
            let connection = try await PostgresConnection.connect(url, on: loop)
            defer { connection.close() }
            try await migrator.migrate(on: connection)
        }.value
    }

    func stop() async throws {
        try await server.shutdown()
        await pools.close()
        group.shutdown()
    }

    func token(_ role: Role, user: String = "user-\(UUID().uuidString.prefix(8))", ttl: Duration = .seconds(600)) throws -> String {
        try signer.issue(subject: user, role: role, ttl: ttl, now: Date())
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
}

enum RedisTestConfiguration {
    /// A short cool-down so a stopped Redis is tried again soon. The timeouts are long: the
    /// outages these tests make (a stopped or killed server) fail at once (refused, reset), and
    /// a 300 ms command timeout was outlasted by a healthy Redis under two CPU hogs, which
    /// then decided whether a deal was cached at all.
    static func make(_ url: String) throws -> RedisClient.Configuration {
        var configuration = try RedisClient.Configuration(url: url)
        configuration.connection.connectTimeout = .seconds(10)
        configuration.connection.commandTimeout = .seconds(10)
        configuration.failureThreshold = 2
        configuration.coolDown = .milliseconds(200)
        return configuration
    }
}

let testRedisURL = ProcessInfo.processInfo.environment["REDIS_URL"]
