import Foundation
import HTTPClient
import IOCore
import PSPClient
import Payments
import Postgres

/// The payment provider client, webhook secrets and the outbox job from settings.
enum PaymentsSetup {
    /// nil when no provider address is set (payments off).
    static func provider(_ settings: PaymentSettings, loops: [EventLoop]) throws -> PSPClient? {
        guard !settings.providerAddress.isEmpty else { return nil }
        let key = try secret(settings.apiKey, file: settings.apiKeyFile, name: "payments.api_key").first ?? ""
        guard !key.isEmpty else { throw StartFailure.configuration("payments.provider_address is set but payments.api_key is not") }
        do {
            let configuration = try PSPClientConfiguration(baseAddress: settings.providerAddress, apiKey: key, timeout: .milliseconds(settings.timeoutMs))
            return PSPClient(configuration: configuration, clients: HTTPClients(loops: loops))
        } catch {
            throw StartFailure.configuration("payments.provider_address: \(error)")
        }
    }

    static func webhookSecrets(_ settings: PaymentSettings) throws -> [String] {
        let secrets = try secret(settings.webhookSecrets, file: settings.webhookSecretsFile, name: "payments.webhook_secrets")
        if !settings.providerAddress.isEmpty && secrets.isEmpty {
            throw StartFailure.configuration("payments.provider_address is set but payments.webhook_secrets is not")
        }
        return secrets
    }

    static func outboxJob(_ settings: PaymentSettings, provider: any PaymentProvider, pools: PostgresPools) -> BackgroundWorkers.Job {
        var outboxSettings = Outbox.Settings()
        outboxSettings.batchSize = settings.outboxBatchSize
        outboxSettings.maxAttempts = settings.outboxMaxAttempts
        outboxSettings.leaseSeconds = settings.outboxLeaseSeconds
        outboxSettings.backoffBase = .milliseconds(settings.outboxBackoffBaseMs)
        outboxSettings.backoffMax = .milliseconds(settings.outboxBackoffMaxMs)
        let outbox = Outbox(settings: outboxSettings, provider: provider)
        return BackgroundWorkers.Job(name: "outbox", period: .milliseconds(settings.outboxPeriodMs), batchSize: settings.outboxBatchSize) { loop in
            try await outbox.runBatch(pool: pools.pool(for: loop))
        }
    }

    static func intentRecoveryJob(
        _ settings: PaymentSettings, payments: PaymentsService, provider: any PaymentProvider, pools: PostgresPools
    ) -> BackgroundWorkers.Job {
        var recoverySettings = IntentRecovery.Settings()
        recoverySettings.graceSeconds = settings.intentRecoveryGraceSeconds
        let recovery = IntentRecovery(settings: recoverySettings, payments: payments, provider: provider)
        return BackgroundWorkers.Job(
            name: "intent_recovery", period: .milliseconds(settings.intentRecoveryPeriodMs), batchSize: recoverySettings.batchSize
        ) { loop in
            try await recovery.runBatch(pool: pools.pool(for: loop))
        }
    }

    /// Comma- or line-separated values from the setting, or from the file when one is named.
    private static func secret(_ value: String, file: String, name: String) throws -> [String] {
        var text = value
        if !file.isEmpty {
            do {
                text = try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw StartFailure.configuration("\(name)_file \(file) cannot be read")
            }
        }
        return text.split(whereSeparator: { $0 == "," || $0 == "\n" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
