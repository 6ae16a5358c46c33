import Foundation
import HTTPClient
import HTTPCodec
import IOCore
import PSPClient
import PSPSandbox
import PSPWire

/// An in-process sandbox on an ephemeral port that delivers to a test receiver, and a
/// client group to call it with.
final class SandboxHarness: Sendable {
    static let apiKey = "sk_test_harness"
    let sandbox: PSPSandbox
    let receiver: WebhookReceiver
    let port: Int
    let clientGroup: EventLoopGroup
    let clients: HTTPClients
    let psp: PSPClient

    private init(sandbox: PSPSandbox, receiver: WebhookReceiver, port: Int, clientGroup: EventLoopGroup, timeout: Duration) throws {
        self.sandbox = sandbox
        self.receiver = receiver
        self.port = port
        self.clientGroup = clientGroup
        self.clients = HTTPClients(loops: clientGroup.loops)
        self.psp = PSPClient(
            configuration: PSPClientConfiguration(address: try SocketAddress(host: "127.0.0.1", port: port), apiKey: Self.apiKey, timeout: timeout),
            clients: clients
        )
    }

    static func start(
        loops: Int = 2,
        timeout: Duration = .seconds(10),
        configure: (inout Knobs) -> Void = { _ in }
    ) async throws -> SandboxHarness {
        let receiver = try await WebhookReceiver.start()
        var settings = SandboxSettings()
        settings.port = 0
        settings.apiKey = apiKey
        settings.webhookURL = receiver.url
        settings.webhookSecret = receiver.secret
        settings.seed = 7
        settings.loops = loops
        // Quick retries: tests wait on conditions, and a short base keeps them brief.
        settings.knobs.webhookRetryBaseMs = 10
        configure(&settings.knobs)
        let sandbox = try PSPSandbox(settings: settings)
        let port = try await sandbox.start()
        return try SandboxHarness(sandbox: sandbox, receiver: receiver, port: port, clientGroup: try EventLoopGroup(count: 1), timeout: timeout)
    }

    /// A raw call, for answers the typed client would hide.
    func call(_ method: HTTPMethod, _ target: String, json: String? = nil, headers: [(name: String, value: String)] = [], authorized: Bool = true) async throws -> HTTPClientResponse {
        var all = headers
        if authorized { all.append(("Authorization", "Bearer \(Self.apiKey)")) }
        if json != nil { all.append(("Content-Type", "application/json")) }
        let request = HTTPClientRequest(method: method, target: target, headers: all, body: Array((json ?? "").utf8))
        return try await clients.execute(request, to: SocketAddress(host: "127.0.0.1", port: port))
    }

    func configure(_ json: String) async throws {
        let response = try await call(.post, "/_sandbox/config", json: json, authorized: false)
        guard response.status == 200 else { throw HarnessError("config refused: \(response.text)") }
    }

    /// `GET /_sandbox/events` as JSON objects.
    func events() async throws -> [[String: Any]] {
        let response = try await call(.get, "/_sandbox/events", authorized: false)
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return object?["data"] as? [[String: Any]] ?? []
    }

    func stats() async throws -> [String: Any] {
        let response = try await call(.get, "/_sandbox/stats", authorized: false)
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Creates and confirms an intent; returns it as confirmed.
    func paidIntent(amount: Int = 1000, key: String = UUID().uuidString) async throws -> PaymentIntent {
        let intent = try await psp.createIntent(amount: amount, currency: "EUR", metadata: ["order": key], idempotencyKey: key)
        return try await psp.confirm(intentID: intent.id, paymentMethod: PaymentMethod.cardOK)
    }

    func stop() async throws {
        await clients.closeIdleConnections()
        clientGroup.shutdown()
        try await sandbox.shutdown()
        try await receiver.stop()
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
