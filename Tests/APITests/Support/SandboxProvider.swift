import Auth
import Postgres
import Foundation
import GroupBuyTesting
import Testing
import HTTPClient
import IOCore
import PSPClient
import PSPSandbox
import PSPWire
import Payments
import Synchronization

/// The API server paying through a real psp-sandbox (in this process, over TCP) that sends
/// its signed webhooks back to the server. The sandbox needs the server's port and the server
/// needs the sandbox's, so the server gets this provider first and the client once both run.
final class LateBoundProvider: PaymentProvider {
    private let target = Mutex<PSPClient?>(nil)

    func bind(_ client: PSPClient) { target.withLock { $0 = client } }

    private var client: PSPClient {
        get throws {
            guard let client = target.withLock({ $0 }) else { throw PSPClientError.unreachable("no sandbox yet") }
            return client
        }
    }

    func createIntent(amount: Int, currency: String, metadata: [String: String], idempotencyKey: String) async throws -> PaymentIntent {
        try await client.createIntent(amount: amount, currency: currency, metadata: metadata, idempotencyKey: idempotencyKey)
    }

    func refund(intentID: String, amount: Int, idempotencyKey: String) async throws -> Refund {
        try await client.refund(intentID: intentID, amount: amount, idempotencyKey: idempotencyKey)
    }

    func intents(after: String?, limit: Int) async throws -> (intents: [PaymentIntent], hasMore: Bool) {
        try await client.intents(after: after, limit: limit)
    }

    func intent(id: String) async throws -> PaymentIntent {
        try await client.intent(id: id)
    }
}

/// An API server and a psp-sandbox wired to each other.
struct PaymentWorld {
    static let apiKey = "sk_test_api_tests"
    let server: APITestServer
    let sandbox: PSPSandbox
    let provider: LateBoundProvider
    let client: PSPClient
    let sandboxURL: String
    /// When this world began (RFC 3339 with milliseconds), to reconcile only its payments.
    let startedAt: String

    /// A database of the world's own: reconciliation compares every payment in it with this
    /// sandbox's intents, and other suites make payments of their own meanwhile.
    let database: ScratchDatabase

    /// Starts the world; `server` makes its API server on the world's database (the default one
    /// unless a test needs other settings).
    static func start(
        knobs: Knobs = Knobs(),
        server makeServer: (_ databaseURL: String, _ provider: LateBoundProvider) async throws -> APITestServer = {
            try await APITestServer.start(databaseURL: $0, provider: $1)
        }
    ) async throws -> PaymentWorld {
        let database = try await ScratchDatabase.create(prefix: "groupbuy_pay", adminURL: try #require(testDatabaseURL))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let startedAt = formatter.string(from: Date())
        let provider = LateBoundProvider()
        let server: APITestServer
        do {
            server = try await makeServer(database.url, provider)
        } catch {
            try? await database.drop()
            throw error
        }
        var settings = SandboxSettings()
        settings.port = 0
        settings.apiKey = apiKey
        settings.webhookURL = server.baseURL + "/v1/webhooks/psp"
        settings.webhookSecret = APITestServer.webhookSecret
        settings.knobs = knobs
        // Ids come from the seed; the test database outlives each sandbox, and intent ids are unique there.
        settings.seed = UInt64.random(in: 1...UInt64.max)
        let sandbox = try PSPSandbox(settings: settings)
        let port = try await sandbox.start()
        let client = PSPClient(
            configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(port)", apiKey: apiKey), clients: HTTPClients(loops: server.group.loops)
        )
        provider.bind(client)
        return PaymentWorld(server: server, sandbox: sandbox, provider: provider, client: client, sandboxURL: "http://127.0.0.1:\(port)", startedAt: startedAt, database: database)
    }

    func stop() async throws {
        try await sandbox.shutdown()
        try await server.stop()
        try await database.drop()
    }

    /// Runs `body` in a fresh world, stopped afterwards whatever happens.
    static func with<Result>(
        knobs: Knobs = Knobs(),
        server makeServer: (_ databaseURL: String, _ provider: LateBoundProvider) async throws -> APITestServer = {
            try await APITestServer.start(databaseURL: $0, provider: $1)
        },
        _ body: (PaymentWorld) async throws -> Result
    ) async throws -> Result {
        let world = try await start(knobs: knobs, server: makeServer)
        do {
            let result = try await body(world)
            try await world.stop()
            return result
        } catch {
            try? await world.stop()
            throw error
        }
    }

    /// The buyer pays: the service makes the intent, the buyer confirms it at the sandbox with
    /// the client secret from the pay answer (as a buyer's app does: no API key).
    func pay(orderID: Int, user: String, card: String = PaymentMethod.cardOK) async throws -> (payment: HTTPResult, confirm: HTTPResult) {
        let payment = try await LiveHTTP.request("POST", server.baseURL + "/v1/orders/\(orderID)/pay", bearer: try server.token(.buyer, user: user))
        guard payment.status == 201, let intent = payment.json["intentId"] as? String, let secret = payment.json["clientSecret"] as? String else {
            return (payment, payment)
        }
        let confirm = try await LiveHTTP.request(
            "POST", sandboxURL + "/v1/client/payment_intents/\(intent)/confirm",
            body: #"{"client_secret":"\#(secret)","payment_method":"\#(card)"}"#
        )
        return (payment, confirm)
    }

    /// Works the outbox as the background worker does, until a batch is not full. The test
    /// database also holds other tests' jobs (for sandboxes that are gone): assert on a job's
    /// own state (`refundJob`), not on counts.
    func runOutbox() async throws {
        let pool = server.pools.pool(for: server.group.loops[0])
        let outbox = Outbox(settings: Outbox.Settings(), provider: provider)
        try await Task(executorPreference: server.group.loops[0]) {
            while try await outbox.runBatch(pool: pool) == outbox.settings.batchSize {}
        }.value
    }

    /// Status and attempts of the refund job of an order's payment.
    func refundJob(order: Int) async throws -> [String?] {
        try await server.sql(
            """
            SELECT j.status, j.attempts::text FROM jobs j
            JOIN refunds r ON j.dedupe_key = 'refund:' || r.id JOIN payments p ON p.id = r.payment_id WHERE p.order_id = $1
            """,
            [.int(order)]
        ).first ?? []
    }

    /// Waits (bounded) until `condition` holds; for effects of webhooks in flight.
    func eventually(_ what: String, within seconds: Double = 20, _ condition: () async throws -> Bool) async throws {
        try await waitUntil(what, within: seconds, condition)
    }

    func orderStatus(_ id: Int) async throws -> String? {
        try await server.sql("SELECT status FROM orders WHERE id = $1", [.int(id)]).first?[0] ?? nil
    }
}
