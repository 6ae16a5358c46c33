import IOCore
import Payments
import Postgres

/// `groupbuy_outbox_jobs{state}`: outbox jobs queued, running and dead (given up after
/// payments.outbox_max_attempts; `gbctl outbox list --state dead` shows them), counted at
/// scrape time. With PostgreSQL away the family is left out, never waited for past `limit`.
enum OutboxMetrics {
    static func render(pools: PostgresPools, loop: EventLoop, limit: Duration, into text: inout String) async {
        let counts = await TimeBound.run(limit, on: loop) {
            try await pools.pool(for: loop).withConnection { try await OutboxJobs.counts(on: $0) }
        }
        text += "# HELP groupbuy_outbox_jobs Outbox jobs (refunds to send) by state; dead ones were given up.\n"
        text += "# TYPE groupbuy_outbox_jobs gauge\n"
        guard case .success(let counts) = counts else { return }
        for (state, count) in counts { text += "groupbuy_outbox_jobs{state=\"\(state)\"} \(count)\n" }
    }
}
