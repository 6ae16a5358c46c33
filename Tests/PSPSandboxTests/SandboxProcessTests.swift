import Foundation
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

    /// The API key and webhook secret from files: not on the command line, where `ps` shows them.
    @Test func theSecretsCanComeFromFilesInsteadOfTheCommandLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-secrets-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let keyFile = folder.appendingPathComponent("api-key").path
        let secretFile = folder.appendingPathComponent("webhook-secret").path
        try "sk_test_from_file\n".write(toFile: keyFile, atomically: true, encoding: .utf8)
        try "whsec_from_file\n".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let receiver = try await WebhookReceiver.start(secret: "whsec_from_file")
        let process = try await SandboxProcess.start(["--api-key-file", keyFile, "--webhook-url", receiver.url, "--webhook-secret-file", secretFile])
        let commandLine = try String(contentsOfFile: "/proc/\(process.child.pid)/cmdline", encoding: .utf8)
        #expect(!commandLine.contains("sk_test_from_file") && !commandLine.contains("whsec_from_file"))
        let group = try EventLoopGroup(count: 1)
        let clients = HTTPClients(loops: group.loops)
        let psp = PSPClient(
            configuration: try PSPClientConfiguration(baseAddress: "127.0.0.1:\(process.port)", apiKey: "sk_test_from_file"), clients: clients
        )
        let intent = try await psp.createIntent(amount: 100, currency: "EUR", idempotencyKey: "file-1")
        _ = try await psp.confirm(intentID: intent.id, paymentMethod: PaymentMethod.cardOK)
        let received = try await receiver.waitFor(1)
        #expect(received.allSatisfy { $0.signatureValid }, "signed with the secret from the file")
        #expect(try await process.terminate() == 0)
        await clients.closeIdleConnections()
        group.shutdown()
        try await receiver.stop()

        let both = try await Subprocess.run(SandboxProcess.executable, ["--api-key", "k", "--api-key-file", keyFile, "--port", "0"])
        #expect(both.status == 64 && both.errorOutput.contains("not both"), "\(both.errorOutput)")
        let missing = try await Subprocess.run(SandboxProcess.executable, ["--webhook-secret-file", folder.appendingPathComponent("nope").path])
        #expect(missing.status == 64 && missing.errorOutput.contains("cannot be read"), "\(missing.errorOutput)")
    }
}
