package import Postgres

/// One row of deal_stock_slots.
package struct SlotStock: Sendable, Equatable, CustomStringConvertible {
    package var available: Int
    package var reserved: Int
    package var sold: Int

    package init(available: Int, reserved: Int = 0, sold: Int = 0) {
        self.available = available
        self.reserved = reserved
        self.sold = sold
    }

    package var description: String { "\(available)/\(reserved)/\(sold)" }
}

extension PostgresConnection {
    /// An active deal (unless `status` says otherwise) whose slots hold `slots` units each,
    /// open for buyers from a minute ago to an hour from now; answers its id.
    package func makeDeal(
        slots: [Int], groupSize: Int = 2, perUserLimit: Int = 5, groupPrice: Int = 1500, status: String = "active"
    ) async throws -> Int {
        let id = try await int(
            """
            INSERT INTO deals (title, currency, list_price, group_price, group_size, group_time_limit_seconds,
                               starts_at, ends_at, per_user_limit, status, stock_slots, stock_total)
            VALUES ('sql test', 'EUR', 2000, $1::bigint, $2::int, 3600, now() - interval '1 minute',
                    now() + interval '1 hour', $3::int, $4::text, $5::int, $6::bigint)
            RETURNING id
            """,
            [
                .int(groupPrice), .int(groupSize), .int(perUserLimit), .text(status), .int(slots.count),
                .int(slots.reduce(0, +)),
            ]
        )
        guard let id else { throw FixtureFailure("no deal made") }
        _ = try await query(
            """
            INSERT INTO deal_stock_slots (deal_id, slot, available)
            SELECT $1::bigint, s.slot - 1, s.available FROM unnest($2::int[]) WITH ORDINALITY AS s(available, slot)
            """,
            [.int(id), .text("{" + slots.map(String.init).joined(separator: ",") + "}")]
        )
        return id
    }

    /// The deal's slots in slot order.
    package func stock(deal: Int) async throws -> [SlotStock] {
        let rows = try await query(
            "SELECT available, reserved, sold FROM deal_stock_slots WHERE deal_id = $1::bigint ORDER BY slot",
            [.int(deal)]
        )
        return (0..<rows.count).map {
            SlotStock(available: rows[$0].int(0) ?? -1, reserved: rows[$0].int(1) ?? -1, sold: rows[$0].int(2) ?? -1)
        }
    }

    /// An order's reservations, slot → quantity.
    package func reservations(order: Int) async throws -> [Int: Int] {
        let rows = try await query("SELECT slot, quantity FROM reservations WHERE order_id = $1::bigint", [.int(order)])
        return Dictionary(uniqueKeysWithValues: (0..<rows.count).map { (rows[$0].int(0) ?? -1, rows[$0].int(1) ?? -1) })
    }
}
