import Foundation
import LoadGen
import Postgres
import Testing

/// The invariant checker passes a healthy database and catches each deliberately broken state, naming the deal or order.
@Suite(.enabled(if: scenarioTestDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL"))
struct ScenarioInvariantTests {
    func outcome(_ name: String, in outcomes: [CheckOutcome]) throws -> CheckOutcome {
        try #require(outcomes.first { $0.name == name }, "no outcome \(name) in \(outcomes)")
    }

    @Test func aHealthyDatabasePassesEveryInvariant() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            _ = try await world.startGroup(deal: deal, user: "alice")
            let (_, order) = try await world.startGroup(deal: deal, user: "bob")
            _ = try await world.succeededPayment(order: order, intent: "pi_ok")
            let outcomes = await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal])
            #expect(outcomes.map(\.name) == ["stock", "reservations", "paid orders", "double charge", "double refund"])
            for outcome in outcomes { #expect(outcome.passed, "\(outcome.name): \(outcome.detail)") }
        }
    }

    @Test func stockThatDoesNotAddUpFailsNamingTheDeal() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            _ = try await world.startGroup(deal: deal, user: "alice")
            try await world.sql("UPDATE deal_stock_slots SET available = available + 5 WHERE deal_id = $1::bigint AND slot = 0", [.int(Int(deal))])
            let stock = try outcome("stock", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!stock.passed)
            #expect(stock.detail.contains("deal \(deal)"))
            #expect(stock.detail.contains("not the total 100"))
        }
    }

    @Test func oversoldStockFails() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal(stock: 8)
            // Two more units sold than the deal ever had.
            try await world.sql("UPDATE deal_stock_slots SET sold = sold + 2 WHERE deal_id = $1::bigint AND slot = 1", [.int(Int(deal))])
            let stock = try outcome("stock", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!stock.passed)
            #expect(stock.detail.contains("deal \(deal)"))
        }
    }

    @Test func brokenDealsOutsideTheRunAreNotBlamedOnIt() async throws {
        try await CheckWorld.with { world in
            let ours = try await world.deal()
            let other = try await world.deal()
            try await world.sql("UPDATE deal_stock_slots SET available = available + 5 WHERE deal_id = $1::bigint", [.int(Int(other))])
            let stock = try outcome("stock", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [ours]))
            #expect(stock.passed, "\(stock.detail)")
        }
    }

    @Test func aReservationPastItsWindowFailsNamingTheOrder() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (_, order) = try await world.startGroup(deal: deal, user: "alice")
            try await world.sql("UPDATE orders SET expires_at = now() - interval '1 hour' WHERE id = $1::bigint", [.int(Int(order))])
            let reservations = try outcome("reservations", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!reservations.passed)
            #expect(reservations.detail.contains("order \(order) (deal \(deal)"))
        }
    }

    @Test func aPaidOrderInAFailedGroupFails() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (group, order) = try await world.startGroup(deal: deal, user: "alice")
            _ = try await world.succeededPayment(order: order, intent: "pi_paid")
            try await world.sql("UPDATE orders SET status = 'paid' WHERE id = $1::bigint", [.int(Int(order))])
            try await world.sql("UPDATE groups SET status = 'failed', closed_at = now() WHERE id = $1::bigint", [.int(Int(group))])
            let paid = try outcome("paid orders", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!paid.passed)
            #expect(paid.detail.contains("order \(order) is paid in failed group \(group)"))
        }
    }

    @Test func anOrderStuckInRefundPendingFails() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (_, order) = try await world.startGroup(deal: deal, user: "alice")
            try await world.sql("UPDATE orders SET status = 'paid' WHERE id = $1::bigint", [.int(Int(order))])
            try await world.sql("UPDATE orders SET status = 'refund_pending' WHERE id = $1::bigint", [.int(Int(order))])
            let paid = try outcome("paid orders", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!paid.passed)
            #expect(paid.detail.contains("order \(order) is still refund_pending"))
        }
    }

    @Test func twoRefundsOfOnePaymentFail() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (_, order) = try await world.startGroup(deal: deal, user: "alice")
            let payment = try await world.succeededPayment(order: order, intent: "pi_twice")
            // The schema allows one refund per payment; break that on purpose.
            try await world.sql("ALTER TABLE refunds DROP CONSTRAINT refunds_payment_id_key")
            for _ in 0..<2 {
                try await world.sql(
                    "INSERT INTO refunds (payment_id, amount, status, reason) VALUES ($1::bigint, 1500, 'succeeded', 'test')", [.int(Int(payment))]
                )
            }
            let refunds = try outcome("double refund", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!refunds.passed)
            #expect(refunds.detail.contains("payment \(payment) of order \(order): 2 refunds of 3000"))
        }
    }

    @Test func aRefundLargerThanThePaymentFails() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (_, order) = try await world.startGroup(deal: deal, user: "alice")
            let payment = try await world.succeededPayment(order: order, intent: "pi_big")
            try await world.sql("INSERT INTO refunds (payment_id, amount, status, reason) VALUES ($1::bigint, 9999, 'succeeded', 'test')", [.int(Int(payment))])
            let refunds = try outcome("double refund", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!refunds.passed)
            #expect(refunds.detail.contains("payment \(payment) of order \(order)"))
        }
    }

    @Test func twoChargesOfOneOrderFail() async throws {
        try await CheckWorld.with { world in
            let deal = try await world.deal()
            let (_, order) = try await world.startGroup(deal: deal, user: "alice")
            try await world.sql("ALTER TABLE payments DROP CONSTRAINT payments_order_id_key")
            _ = try await world.succeededPayment(order: order, intent: "pi_one")
            _ = try await world.succeededPayment(order: order, intent: "pi_two")
            let charges = try outcome("double charge", in: await InvariantChecker(databaseURL: world.url, loop: world.loop).check(dealIDs: [deal]))
            #expect(!charges.passed)
            #expect(charges.detail.contains("order \(order) (2 payments)"))
        }
    }

    @Test func anUnreachableDatabaseIsAFailedCheck() async throws {
        try await CheckWorld.with { world in
            let outcomes = await InvariantChecker(databaseURL: "postgresql://nobody@127.0.0.1:1/none", loop: world.loop).check(dealIDs: [1])
            #expect(outcomes.count == 1)
            #expect(outcomes.first?.passed == false)
            #expect(outcomes.first?.detail.contains("could not read the database") == true)
        }
    }
}
