import Postgres
import SQLTesting
import Testing

/// gb_order_in_group (migrations/functions/orders.sql) refuses each broken rule with its own
/// SQLSTATE, answered rather than raised, and leaves nothing behind: the same placement serves
/// starting a group and joining one, so every rule of the deal holds for both.
@Suite(.needsTestDatabase)
struct PlacementRefusalsTests {
    enum Entry: String, Sendable { case start, join }

    /// The deal and group a refused buyer aims at, after `arrange` broke a rule.
    struct Target: Sendable {
        var deal: Int
        var group: Int
    }

    struct Attempt: Sendable, CustomTestStringConvertible {
        var rule: String
        var entry: Entry
        var code: String
        var quantity = 1
        /// Breaks the rule on a deal (slots [5, 5], groups of 3, 5 units per buyer) whose group
        /// the leader started.
        var arrange: @Sendable (PostgresConnection, Target) async throws -> Target

        var testDescription: String { "\(entry.rawValue): \(rule) → \(code)" }
    }

    static func both(
        _ rule: String, _ code: String, quantity: Int = 1,
        _ arrange: @escaping @Sendable (PostgresConnection, Target) async throws -> Target
    ) -> [Attempt] {
        [Entry.start, .join].map { Attempt(rule: rule, entry: $0, code: code, quantity: quantity, arrange: arrange) }
    }

    static func joining(
        _ rule: String, _ code: String,
        _ arrange: @escaping @Sendable (PostgresConnection, Target) async throws -> Target
    ) -> Attempt {
        Attempt(rule: rule, entry: .join, code: code, arrange: arrange)
    }

    static func updateDeal(_ set: String) -> @Sendable (PostgresConnection, Target) async throws -> Target {
        { session, target in
            _ = try await session.query("UPDATE deals SET \(set) WHERE id = $1::bigint", [.int(target.deal)])
            return target
        }
    }

    static func updateGroup(_ set: String) -> @Sendable (PostgresConnection, Target) async throws -> Target {
        { session, target in
            _ = try await session.query("UPDATE groups SET \(set) WHERE id = $1::bigint", [.int(target.group)])
            return target
        }
    }

    static let attempts: [Attempt] =
        both("deal paused", "GB002", updateDeal("status = 'paused'"))
        + both("deal closed", "GB002", updateDeal("status = 'closed'"))
        + both(
            "deal not started yet", "GB002",
            updateDeal("starts_at = now() + interval '1 hour', ends_at = now() + interval '2 hours'"))
        + both(
            "deal ended", "GB002",
            updateDeal("starts_at = now() - interval '2 hours', ends_at = now() - interval '1 minute'"))
        + both("more than the per-user limit at once", "GB009", quantity: 6) { _, target in target }
        + both("the per-user limit, counting open orders", "GB009", quantity: 2) { session, target in
            try await session.placedOrder(user: "buyer", deal: target.deal, quantity: 4)
            return target
        }
        + both("no unit left", "GB003") { session, target in
            _ = try await session.query(
                "UPDATE deal_stock_slots SET available = 0 WHERE deal_id = $1::bigint", [.int(target.deal)])
            return target
        }
        // Found only once the order is written (the last units went meanwhile): what it wrote goes again.
        + both("fewer units left than asked", "GB003", quantity: 3) { session, target in
            _ = try await session.query(
                "UPDATE deal_stock_slots SET available = 1 WHERE deal_id = $1::bigint", [.int(target.deal)])
            return target
        }
        + [
            Attempt(rule: "a draft deal", entry: .start, code: "GB001") { session, target in
                Target(deal: try await session.makeDeal(slots: [5], status: "draft"), group: target.group)
            },
            Attempt(rule: "no such deal", entry: .start, code: "GB001") { _, target in
                Target(deal: target.deal + 1000, group: 0)
            },
            joining("no such group", "GB004") { _, target in Target(deal: target.deal, group: target.group + 1000) },
            joining("group succeeded", "GB005", updateGroup("status = 'succeeded', closed_at = now()")),
            joining("group failed", "GB005", updateGroup("status = 'failed', closed_at = now()")),
            joining("group past its time limit", "GB006", updateGroup("expires_at = now() - interval '1 second'")),
            joining("group full", "GB007") { session, target in
                for user in ["second", "third"] { try await session.placedOrder(user: user, group: target.group) }
                return target
            },
            joining("already in the group", "GB008") { session, target in
                try await session.placedOrder(user: "buyer", group: target.group)
                return target
            },
        ]

    @Test(arguments: attempts)
    func refusesEachBrokenRuleAndLeavesNothingBehind(_ attempt: Attempt) async throws {
        let (placement, before, after) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [5, 5], groupSize: 3, perUserLimit: 5)
                let group = try await session.placedOrder(user: "leader", deal: deal).group
                let target = try await attempt.arrange(session, Target(deal: deal, group: group))
                let before = try await session.footprint(deal: deal)
                let placement =
                    switch attempt.entry {
                    case .start:
                        try await session.placeOrder(user: "buyer", deal: target.deal, quantity: attempt.quantity)
                    case .join:
                        try await session.placeOrder(user: "buyer", group: target.group, quantity: attempt.quantity)
                    }
                return (placement, before, try await session.footprint(deal: deal))
            }
        }
        #expect(placement.refusal == attempt.code, "\(placement.body ?? "")")
        #expect(placement.statusCode == nil)
        #expect(placement.body?.isEmpty == false, "the refusal says why")
        #expect(after == before)
    }
}
