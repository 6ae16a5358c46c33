import GroupBuyTesting
import HTTPClient
import IOCore
import PSPClient
import PSPWire
import Testing

@Suite struct SandboxProcessTests {
    @Test func theExecutableServesTheAPIAndDeliversSignedWebhooks() async throws {
        let receiver = try await WebhookReceiver.start(secret: "whsec_process")
        let process = try await SandboxProcess.start([
            "--api-key", "sk_test_process", "--webhook-url", receiver.url, "--webhook-secret", "whsec_process",
            "--seed", "3", "--duplicate", "1",
        ])
        let group = try EventLoopGroup(count: 1)
        let clients = HTTPClients(loops: group.loops)
        let psp = PSPClient(
            configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(process.port)", apiKey: "sk_test_process"),
            clients: clients
        )
        let intent = try await psp.createIntent(amount: 4200, currency: "EUR", metadata: ["order": "o_9"], idempotencyKey: "p1")
        let paid = try await psp.confirm(intentID: intent.id, paymentMethod: PaymentMethod.cardOK)
        #expect(paid.status == .succeeded)
        let received = try await receiver.waitFor(2)
        #expect(received.allSatisfy { $0.signatureValid })
        #expect(Set(received.map(\.event.id)).count == 1, "--duplicate 1: the same event twice")
        let wrongKey = PSPClient(
            configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(process.port)", apiKey: "sk_wrong"),
            clients: clients
        )
        await #expect {
            _ = try await wrongKey.intent(id: intent.id)
        } throws: { error in
            guard case .rejected(401, "unauthorized", _) = error as? PSPClientError else { return false }
            return true
        }
        #expect(try await process.terminate() == 0, "SIGTERM is a clean stop")
        await clients.closeIdleConnections()
        group.shutdown()
        try await receiver.stop()
    }
}
