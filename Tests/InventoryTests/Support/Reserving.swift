import Postgres
import SQLTesting

extension PostgresConnection {
    /// An order of `quantity` units of `deal` in a new group, with nothing reserved yet: what
    /// gb_reserve_stock reserves for (gb_order_in_group writes the same rows first).
    func unreservedOrder(deal: Int, user: String = "buyer", quantity: Int) async throws -> Int {
        let group = try await int(
            """
            INSERT INTO groups (deal_id, leader_user_id, size, expires_at)
            VALUES ($1::bigint, $2::text, 2, now() + interval '1 hour')
            RETURNING id
            """,
            [.int(deal), .text(user)]
        )
        let order = try await int(
            """
            INSERT INTO orders (user_id, deal_id, group_id, quantity, unit_price, amount, currency, status, expires_at)
            VALUES ($1::text, $2::bigint, $3::bigint, $4::int, 1500, 1500 * $4::int, 'EUR', 'pending_payment',
                    now() + interval '15 minutes')
            RETURNING id
            """,
            [.text(user), .int(deal), .int(group ?? 0), .int(quantity)]
        )
        return order ?? 0
    }

    /// gb_reserve_stock for `order`: whether it reserved.
    func reserve(order: Int, deal: Int, quantity: Int, strategy: String = "slots", slots: Int) async throws -> Bool? {
        try await value(
            "SELECT gb_reserve_stock($1::bigint, $2::bigint, $3::int, $4::text, $5::int)",
            [.int(order), .int(deal), .int(quantity), .text(strategy), .int(slots)]
        ).map { $0 == "t" }
    }

    /// Seeds this session's random() so that gb_reserve_stock's next random start slot (of
    /// `slots`) is `start`: the fast path's probe order becomes a table entry, not luck.
    func startReservingAt(_ start: Int, of slots: Int) async throws {
        for step in 0..<1000 {
            let seed = Double(step) / 1000
            _ = try await query("SELECT setseed($1::float8)", [.text(String(seed))])
            if try await int("SELECT floor(random() * $1::int)::int", [.int(slots)]) == start {
                _ = try await query("SELECT setseed($1::float8)", [.text(String(seed))])
                return
            }
        }
        throw FixtureFailure("no seed starts at slot \(start) of \(slots)")
    }

    /// Holds the row locks of `slots` of `deal` (as a buyer between reserving and committing
    /// does) in a transaction the caller ends.
    func holdSlots(_ slots: [Int], of deal: Int) async throws {
        _ = try await query("BEGIN")
        _ = try await query(
            """
            SELECT slot FROM deal_stock_slots WHERE deal_id = $1::bigint AND slot = ANY ($2::int[])
            ORDER BY slot FOR NO KEY UPDATE
            """,
            [.int(deal), .text("{" + slots.map(String.init).joined(separator: ",") + "}")]
        )
    }
}
