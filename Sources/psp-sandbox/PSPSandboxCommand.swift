import ArgumentParser
import Foundation
import HTTPServer
import Logging
import PSPSandbox
import ServiceLifecycle
import UnixSignals

@main
struct PSPSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psp-sandbox",
        abstract: "A stand-in card payment provider: its API, signed webhooks, and knobs to misbehave.",
        discussion: """
            Every option also reads PSP_SANDBOX_<NAME> from the environment (e.g. PSP_SANDBOX_PORT=8099, \
            PSP_SANDBOX_DROP_NEXT=2). Knobs can be changed while running: POST /_sandbox/config. See docs/PSP.md.
            Give the API key and webhook secret in files (--api-key-file, --webhook-secret-file) or the \
            environment rather than on the command line, where `ps` shows them to every user.
            """
    )

    @Option(help: "Address to listen on.") var host: String?
    @Option(help: "Port to listen on (0: any free port; the chosen one is printed).") var port: Int?
    @Option(help: "API key callers must send as 'Authorization: Bearer <key>' (visible in `ps`: prefer --api-key-file).")
    var apiKey: String?
    @Option(help: "A file whose first line is the API key.") var apiKeyFile: String?
    @Option(help: "Where events are POSTed (http://host:port/path); none: events are only recorded.") var webhookURL: String?
    @Option(help: "HMAC secret of the PSP-Signature header (visible in `ps`: prefer --webhook-secret-file).")
    var webhookSecret: String?
    @Option(help: "A file whose first line is the webhook secret.") var webhookSecretFile: String?
    @Option(help: "Seed of probabilities and shuffles (ids also get a random start per run).") var seed: UInt64?
    @Option(help: "Event loops serving the API.") var loops: Int?

    @Option(help: "Delay before an event's first delivery (ms).") var webhookDelayMs: Int?
    @Option(help: "Deliver every event this many extra times.") var duplicate: Int?
    @Option(help: "Hold events and release each batch of this many reordered (0: off).") var reorderBatch: Int?
    @Option(help: "Order of a released batch: reverse or shuffle.") var reorderMode: String?
    @Option(help: "Drop the next N delivery attempts.") var dropNext: Int?
    @Option(help: "Drop each delivery attempt with this probability.") var dropProbability: Double?
    @Option(help: "Answer the next N API calls with 500.") var failNext: Int?
    @Option(help: "Answer each API call with 500 with this probability.") var failProbability: Double?
    @Option(help: "Delay every API answer by this much (ms), after its effect.") var apiDelayMs: Int?
    @Option(help: "First retry delay of a failed delivery (ms); doubles per attempt.") var webhookRetryBaseMs: Int?
    @Option(help: "Delivery attempts per event, the first included.") var webhookMaxAttempts: Int?
    @Option(help: "How long a delivery attempt waits for an answer (ms).") var webhookTimeoutMs: Int?
    @Option(help: "Time from a refund's answer to its settlement (ms).") var refundSettleDelayMs: Int?

    /// The value given directly, or the first line of `file`; both at once is a usage error.
    private func secret(_ direct: String?, file: String?, name: String) throws -> String? {
        guard let file else { return direct }
        guard direct == nil else { throw ValidationError("give --\(name) or --\(name)-file, not both") }
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw ValidationError("--\(name)-file \(file) cannot be read")
        }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !line.isEmpty else { throw ValidationError("--\(name)-file \(file) is empty") }
        return line
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        func value<T: LosslessStringConvertible>(_ flag: T?, _ name: String) throws -> T? {
            if let flag { return flag }
            guard let text = environment["PSP_SANDBOX_\(name)"] else { return nil }
            guard let parsed = T(text) else { throw ValidationError("PSP_SANDBOX_\(name)='\(text)' is not valid") }
            return parsed
        }
        var settings = SandboxSettings()
        settings.host = try value(host, "HOST") ?? settings.host
        settings.port = try value(port, "PORT") ?? settings.port
        settings.apiKey = try secret(try value(apiKey, "API_KEY"), file: try value(apiKeyFile, "API_KEY_FILE"), name: "api-key")
            ?? settings.apiKey
        settings.webhookURL = try value(webhookURL, "WEBHOOK_URL")
        settings.webhookSecret = try secret(
            try value(webhookSecret, "WEBHOOK_SECRET"), file: try value(webhookSecretFile, "WEBHOOK_SECRET_FILE"), name: "webhook-secret"
        ) ?? settings.webhookSecret
        settings.seed = try value(seed, "SEED") ?? settings.seed
        settings.loops = try value(loops, "LOOPS") ?? settings.loops
        var knobs = Knobs()
        knobs.webhookDelayMs = try value(webhookDelayMs, "WEBHOOK_DELAY_MS") ?? knobs.webhookDelayMs
        knobs.duplicate = try value(duplicate, "DUPLICATE") ?? knobs.duplicate
        knobs.reorderBatch = try value(reorderBatch, "REORDER_BATCH") ?? knobs.reorderBatch
        knobs.reorderMode = try value(reorderMode, "REORDER_MODE") ?? knobs.reorderMode
        knobs.dropNext = try value(dropNext, "DROP_NEXT") ?? knobs.dropNext
        knobs.dropProbability = try value(dropProbability, "DROP_PROBABILITY") ?? knobs.dropProbability
        knobs.failNext = try value(failNext, "FAIL_NEXT") ?? knobs.failNext
        knobs.failProbability = try value(failProbability, "FAIL_PROBABILITY") ?? knobs.failProbability
        knobs.apiDelayMs = try value(apiDelayMs, "API_DELAY_MS") ?? knobs.apiDelayMs
        knobs.webhookRetryBaseMs = try value(webhookRetryBaseMs, "WEBHOOK_RETRY_BASE_MS") ?? knobs.webhookRetryBaseMs
        knobs.webhookMaxAttempts = try value(webhookMaxAttempts, "WEBHOOK_MAX_ATTEMPTS") ?? knobs.webhookMaxAttempts
        knobs.webhookTimeoutMs = try value(webhookTimeoutMs, "WEBHOOK_TIMEOUT_MS") ?? knobs.webhookTimeoutMs
        knobs.refundSettleDelayMs = try value(refundSettleDelayMs, "REFUND_SETTLE_DELAY_MS") ?? knobs.refundSettleDelayMs
        settings.knobs = knobs
        settings.log = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }

        let sandbox: PSPSandbox
        do {
            sandbox = try PSPSandbox(settings: settings)
        } catch {
            FileHandle.standardError.write(Data("psp-sandbox: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }
        let port = try await sandbox.start()
        // One line on stdout that scripts and tests wait for (with the real port when 0 was asked).
        FileHandle.standardOutput.write(Data("psp-sandbox listening on \(settings.host):\(port) webhook=\(settings.webhookURL ?? "none")\n".utf8))
        let logger = Logger(label: "psp-sandbox", factory: { _ in SwiftLogNoOpLogHandler() })
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: sandbox.server)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await services.run()
        try await sandbox.shutdown()
    }
}
