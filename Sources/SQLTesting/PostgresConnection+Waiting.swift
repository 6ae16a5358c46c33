import GroupBuyTesting
package import Postgres

extension PostgresConnection {
    /// Returns once the session `pid` waits for a lock another session holds: the condition a
    /// test of lock order waits for (never a sleep). The bound only catches a hang.
    package func waitUntilWaitingForALock(_ pid: Int) async throws {
        try await waitUntil("session \(pid) to wait for a lock", within: 60) {
            try await value("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1::int", [.int(pid)]) == "Lock"
        }
    }

    /// Whether this session could lock the slot row now (`NOWAIT`, in a transaction of its own
    /// rolled back at once): false while another session holds it.
    package func canLockSlot(deal: Int, slot: Int) async throws -> Bool {
        _ = try await query("BEGIN")
        do {
            _ = try await query(
                "SELECT 1 FROM deal_stock_slots WHERE deal_id = $1::bigint AND slot = $2::int FOR NO KEY UPDATE NOWAIT",
                [.int(deal), .int(slot)]
            )
            _ = try await query("ROLLBACK")
            return true
        } catch let error as PostgresError where error.sqlState == "55P03" {
            _ = try await query("ROLLBACK")
            return false
        }
    }
}
