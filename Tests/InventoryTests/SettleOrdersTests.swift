import Postgres
import SQLTesting
import Testing

/// gb_settle_orders (migrations/functions/inventory.sql): the reservations of orders that
/// ended go back to available with their users' quantities, those of confirmed orders become
/// sold, and the reservation rows go.
@Suite(.needsTestDatabase)
struct SettleOrdersTests {
    /// Two orders (3 and 2 units, by two users) reserved over slots of 4 units; settled as
    /// (released, sold) → the slots and the users' held quantities after.
    @Test(arguments: [
        ([0], [], [SlotStock(available: 4), SlotStock(available: 2, reserved: 2)], [0, 2]),
        ([], [0, 1], [SlotStock(available: 1, sold: 3), SlotStock(available: 2, sold: 2)], [3, 2]),
        ([1], [0], [SlotStock(available: 1, sold: 3), SlotStock(available: 4)], [3, 0]),
        ([], [], [SlotStock(available: 1, reserved: 3), SlotStock(available: 2, reserved: 2)], [3, 2]),
    ])
    func releasesOrSellsWhatTheOrdersReserved(
        released: [Int], sold: [Int], stock expected: [SlotStock], held: [Int]
    ) async throws {
        let (stock, quantities, reservations) = try await FunctionsDatabase.with { database in
            try await database.session { session in
                let deal = try await session.makeDeal(slots: [4, 4])
                var orders: [Int] = []
                for (index, quantity) in [3, 2].enumerated() {
                    let user = "user-\(index)"
                    let order = try await session.unreservedOrder(deal: deal, user: user, quantity: quantity)
                    try await session.startReservingAt(index, of: 2)
                    #expect(try await session.reserve(order: order, deal: deal, quantity: quantity, slots: 2) == true)
                    _ = try await session.query(
                        """
                        INSERT INTO user_deal_quantities (user_id, deal_id, quantity)
                        VALUES ($1::text, $2::bigint, $3::int)
                        """,
                        [.text(user), .int(deal), .int(quantity)]
                    )
                    orders.append(order)
                }
                _ = try await session.query(
                    "SELECT gb_settle_orders($1::bigint[], $2::bigint[])",
                    [.text(Self.array(released.map { orders[$0] })), .text(Self.array(sold.map { orders[$0] }))]
                )
                var quantities: [Int] = []
                for index in 0..<2 {
                    quantities.append(try await session.heldQuantity(user: "user-\(index)", deal: deal) ?? -1)
                }
                let left = try await session.int("SELECT count(*) FROM reservations")
                return (try await session.stock(deal: deal), quantities, left)
            }
        }
        #expect(stock == expected)
        #expect(quantities == held, "released orders give their units back to the per-user limit; sold ones keep them")
        #expect(reservations == 2 - released.count - sold.count)
    }

    static func array(_ ids: [Int]) -> String { "{" + ids.map(String.init).joined(separator: ",") + "}" }
}
