import Postgres
import SQLTesting
import Testing

/// gb_reserve_stock (migrations/functions/inventory.sql): the fast path over free slots, the
/// wait in slot order near sold out, and sold out only when the committed stock is short.
@Suite(.needsTestDatabase)
struct ReserveStockTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var slots: [Int]
        var start: Int
        var quantity: Int
        var reserved: Bool
        /// Slot → units the order's reservations hold.
        var taken: [Int: Int]

        var testDescription: String { "\(quantity) of \(slots) from slot \(start)" }
    }

    static let cases: [Case] = [
        // Fast path: the first slot from the start that holds the whole quantity.
        Case(slots: [5, 5, 5, 5], start: 2, quantity: 3, reserved: true, taken: [2: 3]),
        Case(slots: [5, 0, 5, 0], start: 1, quantity: 3, reserved: true, taken: [2: 3]),
        Case(slots: [5, 0, 2, 0], start: 1, quantity: 3, reserved: true, taken: [0: 3]),  // wraps around
        Case(slots: [0, 0, 0, 4], start: 3, quantity: 4, reserved: true, taken: [3: 4]),  // the last units
        // No slot holds it, all of them together do: taken in slot order.
        Case(slots: [2, 2, 2, 2], start: 2, quantity: 5, reserved: true, taken: [0: 2, 1: 2, 2: 1]),
        Case(slots: [3, 0, 4], start: 0, quantity: 7, reserved: true, taken: [0: 3, 2: 4]),
        // Sold out: nothing taken.
        Case(slots: [1, 1, 1], start: 1, quantity: 4, reserved: false, taken: [:]),
        Case(slots: [0, 0, 0, 0], start: 0, quantity: 1, reserved: false, taken: [:]),
    ]

    @Test(arguments: cases)
    func reservesFromFreeSlots(_ entry: Case) async throws {
        let (reserved, taken, stock) = try await FunctionsDatabase.with { database in
            try await database.session { buyer in
                let deal = try await buyer.makeDeal(slots: entry.slots)
                let order = try await buyer.unreservedOrder(deal: deal, quantity: entry.quantity)
                try await buyer.startReservingAt(entry.start, of: entry.slots.count)
                let reserved = try await buyer.reserve(
                    order: order, deal: deal, quantity: entry.quantity, slots: entry.slots.count)
                return (reserved, try await buyer.reservations(order: order), try await buyer.stock(deal: deal))
            }
        }
        #expect(reserved == entry.reserved)
        #expect(taken == entry.taken)
        let expected = entry.slots.enumerated().map { slot, units in
            SlotStock(available: units - (entry.taken[slot] ?? 0), reserved: entry.taken[slot] ?? 0)
        }
        #expect(stock == expected, "each unit taken moved from available to reserved, nothing else changed")
    }

    /// (slots another buyer holds, start) → the slot taken: locked slots are skipped, not waited for.
    @Test(arguments: [([2], 2, 3), ([1, 2], 1, 3), ([1, 2, 3], 1, 0), ([0, 3], 3, 1)])
    func skipsSlotsAnotherSessionHolds(held: [Int], start: Int, expected: Int) async throws {
        let taken = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { buyer in
                    // A wait would be the bug: this makes it an error rather than a hang.
                    _ = try await buyer.query("SET lock_timeout = '10s'")
                    let deal = try await buyer.makeDeal(slots: [5, 5, 5, 5])
                    let order = try await buyer.unreservedOrder(deal: deal, quantity: 3)
                    try await holder.holdSlots(held, of: deal)
                    try await buyer.startReservingAt(start, of: 4)
                    let reserved = try await buyer.reserve(order: order, deal: deal, quantity: 3, slots: 4)
                    #expect(reserved == true)
                    _ = try await holder.query("ROLLBACK")
                    return try await buyer.reservations(order: order)
                }
            }
        }
        #expect(taken == [expected: 3])
    }

    /// Every slot with stock held by unfinished buyers that took its units: the committed stock
    /// still has them, so the buyer waits instead of answering sold out, and gets them if they
    /// come back (the holder rolls back) or is sold out if they do not (it commits).
    @Test(arguments: [("ROLLBACK", true), ("COMMIT", false)])
    func waitsForUnitsThatMayComeBack(holderEnds: String, reserved expected: Bool) async throws {
        let (reserved, taken) = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { buyer in
                    let deal = try await buyer.makeDeal(slots: [2, 2])
                    let order = try await buyer.unreservedOrder(deal: deal, quantity: 3)
                    _ = try await holder.query("BEGIN")
                    _ = try await holder.query(
                        "UPDATE deal_stock_slots SET available = 0, reserved = 2 WHERE deal_id = $1::bigint",
                        [.int(deal)]
                    )
                    let pid = try await buyer.backendPID()
                    async let reserving = buyer.reserve(order: order, deal: deal, quantity: 3, slots: 2)
                    try await database.session { observer in try await observer.waitUntilWaitingForALock(pid) }
                    _ = try await holder.query(holderEnds)
                    return (try await reserving, try await buyer.reservations(order: order))
                }
            }
        }
        #expect(reserved == expected)
        #expect(taken == (expected ? [0: 2, 1: 1] : [:]))
    }

    /// Short even counting the units of unfinished buyers: sold out at once, without waiting
    /// for the slots they hold.
    @Test func answersSoldOutWithoutWaitingWhenEvenHeldUnitsAreShort() async throws {
        let (reserved, taken) = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { buyer in
                    // A wait fails the test instead of hanging it.
                    _ = try await buyer.query("SET lock_timeout = '10s'")
                    let deal = try await buyer.makeDeal(slots: [1, 1])
                    let order = try await buyer.unreservedOrder(deal: deal, quantity: 3)
                    try await holder.holdSlots([0, 1], of: deal)
                    let reserved = try await buyer.reserve(order: order, deal: deal, quantity: 3, slots: 2)
                    _ = try await holder.query("ROLLBACK")
                    return (reserved, try await buyer.reservations(order: order))
                }
            }
        }
        #expect(reserved == false)
        #expect(taken == [:])
    }

    /// A buyer near sold out locks slots one at a time in ascending order and waits only for a
    /// slot above every slot it holds, so two waiters cannot deadlock.
    @Test func aWaitingBuyerHoldsOnlyTheSlotsBelowTheOneItWaitsFor() async throws {
        let (locked, taken) = try await FunctionsDatabase.with { database in
            try await database.session { holder in
                try await database.session { buyer in
                    let deal = try await buyer.makeDeal(slots: [1, 1, 1, 1])
                    let order = try await buyer.unreservedOrder(deal: deal, quantity: 4)
                    try await holder.holdSlots([2], of: deal)
                    let pid = try await buyer.backendPID()
                    async let reserving = buyer.reserve(order: order, deal: deal, quantity: 4, slots: 4)
                    let locked = try await database.session { observer in
                        try await observer.waitUntilWaitingForALock(pid)
                        var free: [Bool] = []
                        for slot in 0..<4 { free.append(try await observer.canLockSlot(deal: deal, slot: slot)) }
                        return free
                    }
                    _ = try await holder.query("ROLLBACK")
                    #expect(try await reserving == true)
                    return (locked, try await buyer.reservations(order: order))
                }
            }
        }
        // Slots 0 and 1 are the buyer's, 2 the holder's, 3 nobody's yet.
        #expect(locked == [false, false, false, true])
        #expect(taken == [0: 1, 1: 1, 2: 1, 3: 1])
    }

    /// 'single_row', the baseline: one conditional UPDATE of slot 0, whatever the other slots hold.
    @Test(arguments: [([5], 3, true), ([2], 3, false), ([0, 5], 3, false)])
    func theSingleRowBaselineTakesSlotZeroOrNothing(slots: [Int], quantity: Int, expected: Bool) async throws {
        let (reserved, taken, stock) = try await FunctionsDatabase.with { database in
            try await database.session { buyer in
                let deal = try await buyer.makeDeal(slots: slots)
                let order = try await buyer.unreservedOrder(deal: deal, quantity: quantity)
                let reserved = try await buyer.reserve(
                    order: order, deal: deal, quantity: quantity, strategy: "single_row", slots: slots.count
                )
                return (reserved, try await buyer.reservations(order: order), try await buyer.stock(deal: deal))
            }
        }
        #expect(reserved == expected)
        #expect(taken == (expected ? [0: quantity] : [:]))
        #expect(
            stock.first
                == (expected
                    ? SlotStock(available: slots[0] - quantity, reserved: quantity) : SlotStock(available: slots[0])))
    }
}
