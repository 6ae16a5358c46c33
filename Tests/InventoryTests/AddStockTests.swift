import Postgres
import SQLTesting
import Testing

/// gb_add_stock (migrations/functions/inventory.sql): units spread evenly over the slots, in
/// slot order, with the total and the audit log; nothing for a closed or unknown deal.
@Suite(.needsTestDatabase)
struct AddStockTests {
    /// (slots, units added) → the slots' available units after.
    @Test(arguments: [
        ([0, 0, 0, 0], 10, [3, 3, 2, 2]), ([0, 0, 0, 0], 3, [1, 1, 1, 0]), ([5], 7, [12]), ([1, 0, 2], 6, [3, 2, 4]),
    ])
    func spreadsTheUnitsEvenlyOverTheSlots(slots: [Int], added: Int, expected: [Int]) async throws {
        let (answered, stock, total, audit) = try await FunctionsDatabase.with { database in
            try await database.session { admin in
                let deal = try await admin.makeDeal(slots: slots)
                let answered = try await admin.query(
                    "SELECT available FROM gb_add_stock($1::bigint, $2::int, 'admin', 'req-1')",
                    [.int(deal), .int(added)]
                )
                return (
                    (0..<answered.count).map { answered[$0].int(0) }, try await admin.stock(deal: deal),
                    try await admin.int("SELECT stock_total FROM deals WHERE id = $1::bigint", [.int(deal)]),
                    try await admin.value(
                        """
                        SELECT actor || ' ' || action || ' ' || after::text || ' ' || request_id
                        FROM audit_log WHERE entity_id = $1::text
                        """,
                        [.text(String(deal))]
                    )
                )
            }
        }
        #expect(answered == expected, "answers the slots after the change")
        #expect(stock.map(\.available) == expected)
        #expect(total == slots.reduce(0, +) + added)
        #expect(audit == "admin stock.add {\"quantity\": \(added)} req-1")
    }

    @Test(arguments: ["closed", "unknown"])
    func changesNothingForAClosedOrUnknownDeal(deal kind: String) async throws {
        let (answered, stock, total, audits) = try await FunctionsDatabase.with { database in
            try await database.session { admin in
                let deal = try await admin.makeDeal(slots: [1, 1], status: kind == "closed" ? "closed" : "active")
                let target = kind == "closed" ? deal : deal + 1000
                let answered = try await admin.query(
                    "SELECT * FROM gb_add_stock($1::bigint, 5, 'admin', NULL)", [.int(target)]
                ).count
                return (
                    answered, try await admin.stock(deal: deal),
                    try await admin.int("SELECT stock_total FROM deals WHERE id = $1::bigint", [.int(deal)]),
                    try await admin.int("SELECT count(*) FROM audit_log")
                )
            }
        }
        #expect(answered == 0)
        #expect(stock == [SlotStock(available: 1), SlotStock(available: 1)])
        #expect(total == 2)
        #expect(audits == 0)
    }

    /// Adding locks every slot of the deal in slot order (the lock order), so it waits for a
    /// buyer's slot while holding only the slots before it.
    @Test func locksTheSlotsInSlotOrder() async throws {
        let (locked, stock) = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { admin in
                    let deal = try await admin.makeDeal(slots: [0, 0, 0])
                    _ = try await holder.query("BEGIN")
                    _ = try await holder.query(
                        "SELECT 1 FROM deal_stock_slots WHERE deal_id = $1::bigint AND slot = 1 FOR NO KEY UPDATE",
                        [.int(deal)]
                    )
                    let pid = try await admin.backendPID()
                    async let adding = admin.query(
                        "SELECT * FROM gb_add_stock($1::bigint, 3, 'admin', NULL)", [.int(deal)])
                    let locked = try await database.session { observer in
                        try await observer.waitUntilWaitingForALock(pid)
                        return [
                            try await observer.canLockSlot(deal: deal, slot: 0),
                            try await observer.canLockSlot(deal: deal, slot: 2),
                        ]
                    }
                    _ = try await holder.query("ROLLBACK")
                    _ = try await adding
                    return (locked, try await admin.stock(deal: deal))
                }
            }
        }
        #expect(locked == [false, true], "holds slot 0 and waits for slot 1 before taking slot 2")
        #expect(stock.map(\.available) == [1, 1, 1])
    }
}
