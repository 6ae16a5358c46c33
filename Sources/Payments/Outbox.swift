import Foundation
import PSPWire
public import Postgres

/// Works the outbox: claims due jobs (SKIP LOCKED, with a lease so that a job of a worker that
/// died is claimed again), runs each, and retries failures with exponential backoff and jitter
/// until `maxAttempts`, after which the job is dead (kept, counted, shown to operators).
public struct Outbox: Sendable {
    public struct Settings: Sendable {
        public var batchSize = 20
        public var leaseSeconds = 60
        public var maxAttempts = 12
        public var backoffBase: Duration = .milliseconds(500)
        public var backoffMax: Duration = .seconds(300)

        public init() {}
    }

    public let settings: Settings
    public let provider: any PaymentProvider

    public init(settings: Settings, provider: any PaymentProvider) {
        self.settings = settings
        self.provider = provider
    }

    struct Job {
        let id: Int
        let kind: String
        let payload: String
        let attempt: Int
    }

    /// One batch; answers how many jobs were claimed. Claims commit before the work starts, so
    /// no transaction stays open while the provider answers.
    public func runBatch(pool: PostgresPool) async throws -> Int {
        let rows = try await pool.withConnection { try await $0.execute(PaymentsStatements.claimJobs.name, [.int(settings.batchSize), .int(settings.leaseSeconds)]) }
        for index in 0..<rows.count {
            let row = rows[index]
            let job = Job(id: row.int(0) ?? 0, kind: row.string(1) ?? "", payload: row.string(2) ?? "{}", attempt: row.int(3) ?? 1)
            do {
                try await run(job, pool: pool)
            } catch {
                let giveUp = job.attempt >= settings.maxAttempts || (error as? RetryableFailure)?.isRetryable == false
                let delay = Self.backoff(attempt: job.attempt, base: settings.backoffBase, max: settings.backoffMax, jitter: Double.random(in: 0.5...1))
                _ = try await pool.withConnection {
                    try await $0.execute(
                        PaymentsStatements.jobFailed.name,
                        [.int(job.id), .int(job.attempt), .text(String(describing: error)), .int(Int(delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000)), .bool(giveUp)]
                    )
                }
            }
        }
        return rows.count
    }

    /// base · 2^(attempt-1), at most `max`, times `jitter` (0.5…1 spreads retries of many jobs).
    static func backoff(attempt: Int, base: Duration, max: Duration, jitter: Double) -> Duration {
        let exponential = base * Int(1 << Swift.min(attempt - 1, 30))
        return Swift.min(exponential, max) * jitter
    }

    private func run(_ job: Job, pool: PostgresPool) async throws {
        switch job.kind {
        case "refund":
            try await sendRefund(job, pool: pool)
        default:
            throw UnknownJob(kind: job.kind)
        }
    }

    /// Asks the provider for the refund; its idempotency key is our refund id, so a retry after
    /// a lost answer (or a second worker after a lapsed lease) never refunds twice.
    private func sendRefund(_ job: Job, pool: PostgresPool) async throws {
        guard let payload = try? JSONSerialization.jsonObject(with: Data(job.payload.utf8)) as? [String: Any],
            let refundID = payload["refundId"] as? Int
        else { throw UnknownJob(kind: "refund without refundId") }
        let rows = try await pool.withConnection { try await $0.execute(PaymentsStatements.refundToSend.name, [.int(refundID)]) }
        guard rows.count == 1, let amount = rows[0].int(0), let intentID = rows[0].string(1) else { throw UnknownJob(kind: "refund \(refundID) is missing") }
        let refund = try await provider.refund(intentID: intentID, amount: amount, idempotencyKey: "refund-\(refundID)")
        _ = try await pool.withConnection {
            try await $0.execute(PaymentsStatements.refundSent.name, [.int(refundID), .text(refund.id), .int(job.id), .int(job.attempt)])
        }
    }

    struct UnknownJob: Error, RetryableFailure, CustomStringConvertible {
        let kind: String
        var isRetryable: Bool { false }
        var description: String { "cannot run job: \(kind)" }
    }
}
