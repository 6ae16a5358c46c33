public import Domain
public import IOCore
import Postgres

extension PaymentsService {
    /// Our payments made since `sinceMilliseconds` (Unix time; 0: all) compared with the
    /// provider's intents, and the signed webhooks whose money did not match.
    public func reconcile(sinceMilliseconds: Int64, on loop: EventLoop) async throws -> Reconciliation.Report {
        guard let provider else { throw PaymentsError.notConfigured }
        do {
            return try await Reconciliation.run(provider: provider, sinceMilliseconds: sinceMilliseconds, pool: pools.pool(for: loop))
        } catch let failure as RetryableFailure {
            throw PaymentsError.providerUnavailable("\(failure)")
        }
    }

    /// Outbox jobs in `state` (every state when nil), newest first, after `cursor`.
    public func outboxJobs(
        state: String?, before cursor: Cursor?, limit: Int, on loop: EventLoop
    ) async throws -> (jobs: [OutboxJob], nextCursor: Cursor?) {
        try await pools.pool(for: loop).withConnection { try await OutboxJobs.list(state: state, before: cursor, limit: limit, on: $0) }
    }
}
