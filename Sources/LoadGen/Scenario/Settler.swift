public import Foundation
public import HTTPClient
import HTTPCodec
public import IOCore
import Postgres

/// Waits after the load until the service's background work for the run's deals is done,
/// so the checks see a final state: (with `until_deals_end`) every deal's sale window over;
/// no open group past its expiry; no unpaid order past its payment window; no paid order
/// left in a closed group; no order waiting for its refund; no queued or running refund
/// job. With a payment provider it also releases webhooks the sandbox holds for reordering
/// (`POST /_sandbox/flush`) and waits until reconciliation agrees (webhooks still on their
/// way show there as differences).
public struct Settler: Sendable {
    private let database: ScenarioDatabase
    private let clients: HTTPClients
    /// Time between two looks.
    public var pollInterval: Duration

    public init(databaseURL: String, loop: EventLoop, clients: HTTPClients, pollInterval: Duration = .milliseconds(500)) {
        database = ScenarioDatabase(url: databaseURL, loop: loop)
        self.clients = clients
        self.pollInterval = pollInterval
    }

    /// "settled", or what was still pending when `scenario.settle.timeout` ran out.
    /// `since` limits reconciliation to the run's payments.
    public func settle(_ scenario: Scenario, context: RunContext, since: Date? = nil) async -> CheckOutcome {
        let started = ContinuousClock.now
        let deadline = started + scenario.settle.timeout
        let dealIDs = context.dealIDs.values.flatMap { $0 }
        var pending: [String] = []
        while true {
            do {
                if scenario.usesProvider, scenario.sandboxConfig != nil, let provider = context.provider {
                    // Held events (reorder_batch) leave only in full batches; the run's last one never fills.
                    let sandbox = AdminClient(clients: clients, endpoint: provider, bearer: nil, timeout: .seconds(5))
                    _ = try? await sandbox.send(.post, "/_sandbox/flush", accept: [200, 204])
                }
                pending = try await database.withConnection { try await Self.pendingWork(dealIDs: dealIDs, untilDealsEnd: scenario.settle.untilDealsEnd, on: $0) }
                if pending.isEmpty && scenario.usesProvider {
                    let reconciliation = await InvariantChecker.reconcile(context: context, clients: clients, since: since)
                    if !reconciliation.passed { pending = ["provider and service disagree: \(reconciliation.detail)"] }
                }
            } catch {
                pending = ["could not read the database: \(error)"]
            }
            let waited = ContinuousClock.now - started
            if pending.isEmpty {
                return CheckOutcome(name: "settled", passed: true, detail: "settled after \(Self.seconds(waited))")
            }
            if ContinuousClock.now + pollInterval > deadline {
                return CheckOutcome(
                    name: "settled", passed: false, detail: "not settled after \(Self.seconds(waited)): " + pending.joined(separator: "; ")
                )
            }
            try? await Task.sleep(for: pollInterval)
        }
    }

    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return value < 10 ? String(format: "%.1f s", value) : "\(Int(value.rounded())) s"
    }

    /// What is still to happen, in words; empty when settled.
    static func pendingWork(dealIDs: [Int64], untilDealsEnd: Bool, on connection: PostgresConnection) async throws -> [String] {
        let ids = ScenarioDatabase.idArray(dealIDs)
        var pending: [String] = []
        if untilDealsEnd {
            let open = try await ScenarioDatabase.rows(
                connection,
                "SELECT count(*), ceil(extract(epoch FROM max(ends_at) - now()))::bigint FROM deals WHERE id = ANY($1::bigint[]) AND ends_at > now()",
                [ids]
            )
            if let count = Int(open.first?[0] ?? ""), count > 0 {
                pending.append("\(count) deals still selling (the last ends in \(open[0][1] ?? "?") s)")
                return pending
            }
        }
        let checks: [(what: String, sql: String)] = [
            (
                "open groups past expiry",
                "SELECT id FROM groups WHERE deal_id = ANY($1::bigint[]) AND status = 'open' AND expires_at <= now() ORDER BY id"
            ),
            (
                "unpaid orders past their payment window",
                "SELECT id FROM orders WHERE deal_id = ANY($1::bigint[]) AND status = 'pending_payment' AND expires_at <= now() ORDER BY id"
            ),
            (
                "paid orders in closed groups",
                """
                SELECT o.id FROM orders o JOIN groups g ON g.id = o.group_id
                WHERE o.deal_id = ANY($1::bigint[]) AND o.status = 'paid' AND g.status <> 'open' ORDER BY o.id
                """
            ),
            ("orders waiting for their refund", "SELECT id FROM orders WHERE deal_id = ANY($1::bigint[]) AND status = 'refund_pending' ORDER BY id"),
            (
                "refund jobs not done",
                """
                SELECT j.id FROM jobs j
                JOIN refunds r ON r.id = (j.payload->>'refundId')::bigint JOIN payments p ON p.id = r.payment_id JOIN orders o ON o.id = p.order_id
                WHERE j.kind = 'refund' AND j.status IN ('queued', 'running') AND o.deal_id = ANY($1::bigint[]) ORDER BY j.id
                """
            ),
        ]
        for check in checks {
            let rows = try await ScenarioDatabase.rows(connection, check.sql, [ids])
            if !rows.isEmpty {
                pending.append("\(rows.count) \(check.what) (ids \(listIDs(rows.map { $0[0] ?? "?" })))")
            }
        }
        return pending
    }
}
