import Auth
import Catalog
import Foundation
import GroupBuyTesting
import Idempotency
import IOCore
import Orders
import PSPClient
import PSPWire
import Payments
import Postgres
import Synchronization
import Testing

/// Issue 12 item 2: one lock order everywhere (docs/ORDERS.md), so our own operations never
/// deadlock. Buyers start, join, cancel and pay (through a real psp-sandbox and its webhooks),
/// an admin adds stock and refunds, while every sweeper runs twice over, as two instances
/// would, on hot deals of few stock slots, with waves of orders and groups made due while
/// buyers still join and pay in them. PostgreSQL's own count of deadlocks in the test's
/// database must stay zero (the functions of 0003 had 151 and 160 in two runs).
@Suite(.serialized)
struct LockOrderTests {
    @Test func buyersAndSweepersTogetherNeverDeadlock() async throws {
        try await PaymentWorld.with(server: { url, provider in
            try await APITestServer.start(
                databaseURL: url, pool: { $0.maxConnections = 12; $0.maxWaiters = 1_000; $0.acquireTimeout = .seconds(60) },
                slotsPerDeal: 4, orders: OrdersStore.Settings(paymentWindowSeconds: 2), provider: provider
            )
        }) { world in
            let server = world.server
            var deals: [Int] = []
            for size in [2, 3] { deals.append(try await server.createDeal(["groupSize": size, "stock": 3_000, "perUserLimit": 1_000])["id"] as! Int) }
            let pairs = try await server.createDeal(["groupSize": 2, "stock": 3_000, "perUserLimit": 1_000])["id"] as! Int
            let before = try await DatabaseStatistics.read(server)

            let load = LockOrderLoad(world: world, deals: deals, pairs: pairs)
            try await load.run(buyers: 16, rounds: 40)
            try await load.drain()

            let after = try await DatabaseStatistics.read(server)
            #expect(after.deadlocks - before.deadlocks == 0, "PostgreSQL detected \(after.deadlocks - before.deadlocks) deadlocks")
            #expect(load.deadlocksSeen == 0, "sweeps or buyers answered 40P01 \(load.deadlocksSeen) times")
            #expect(load.unexpected.isEmpty, "\(load.unexpected.prefix(5))")
            // The load did reach every path that takes locks.
            let reached = try await server.sql(
                """
                SELECT (SELECT count(*) FROM orders WHERE status = 'expired') > 0, (SELECT count(*) FROM orders WHERE status = 'cancelled') > 0,
                       (SELECT count(*) FROM orders WHERE status IN ('refund_pending', 'refunded')) > 0,
                       (SELECT count(*) FROM groups WHERE status = 'failed') > 0, (SELECT count(*) FROM groups WHERE status = 'succeeded') > 0
                """
            )
            #expect(reached == [["t", "t", "t", "t", "t"]], "expired, cancelled, refunded orders; failed, succeeded groups: \(reached)")
            for deal in deals {
                let inventory = try await server.inventoryCheck(dealID: deal)
                #expect(inventory["healthy"] as? Bool == true, "\(inventory)")
            }
        }
    }
}

/// The buyers, sweepers and waves of due work of `buyersAndSweepersTogetherNeverDeadlock`.
final class LockOrderLoad: Sendable {
    let world: PaymentWorld
    let deals: [Int]
    /// A deal of groups of two that fill and are paid at once, beside the random buying: its
    /// groups succeed while the sweeps and the other buyers run (the random load alone
    /// succeeded a group in most runs but not in every one).
    let pairs: Int
    let store = OrdersStore(settings: OrdersStore.Settings(paymentWindowSeconds: 2))
    /// The pairs' orders wait for their payment as long as it takes: on a loaded machine two
    /// payments and their webhooks can outlast the others' 2 s window.
    let pairStore = OrdersStore(settings: OrdersStore.Settings(paymentWindowSeconds: 600))
    let payments: PaymentsService
    private let state = Mutex(State())

    private struct State {
        var groups: [Int] = []
        var buyersDone = false
        var deadlocksSeen = 0
        var unexpected: [String] = []
    }

    init(world: PaymentWorld, deals: [Int], pairs: Int) {
        self.world = world
        self.deals = deals
        self.pairs = pairs
        payments = PaymentsService(pools: world.server.pools, provider: world.provider)
    }

    var deadlocksSeen: Int { state.withLock { $0.deadlocksSeen } }
    var unexpected: [String] { state.withLock { $0.unexpected } }
    private var loops: [EventLoop] { world.server.group.loops }

    /// `buyers` buyers of `rounds` rounds each, with two of every sweeper (but confirmation),
    /// `makeWorkDue` and `administer` running until the last buyer is done.
    func run(buyers: Int, rounds: Int) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            let sweeps: [OrderSweeper.Task] = [.expireOrders, .expireOrders, .failGroups, .failGroups, .confirmGroups]
            for (index, task) in sweeps.enumerated() {
                let loop = loops[index % loops.count]
                group.addTask(executorPreference: loop) { try await self.sweep(task, on: loop) }
            }
            group.addTask(executorPreference: loops[0]) { try await self.makeWorkDue(on: self.loops[0]) }
            group.addTask(executorPreference: loops[1 % loops.count]) { try await self.fillPairs(on: self.loops[1 % self.loops.count]) }
            group.addTask(executorPreference: loops[1 % loops.count]) { try await self.administer(on: self.loops[1 % self.loops.count]) }
            try await withThrowingTaskGroup(of: Void.self) { buying in
                for index in 0..<buyers {
                    let loop = loops[index % loops.count]
                    buying.addTask(executorPreference: loop) { try await self.buy(rounds: rounds, on: loop) }
                }
                try await buying.waitForAll()
            }
            state.withLock { $0.buyersDone = true }
            try await group.waitForAll()
        }
    }

    /// Every webhook is in, then everything left ends: open groups fail, unpaid orders expire.
    func drain() async throws {
        let server = world.server
        try await world.eventually("every webhook to be delivered", within: 60) {
            let events = try await LiveHTTP.request("GET", world.sandboxURL + "/_sandbox/events").json["data"] as? [[String: Any]] ?? []
            return events.allSatisfy { $0["delivered"] as? Bool == true }
        }
        _ = try await server.sql("UPDATE groups SET expires_at = now() WHERE status = 'open'")
        _ = try await server.sql("UPDATE orders SET expires_at = now() WHERE status = 'pending_payment'")
        for task in [OrderSweeper.Task.confirmGroups, .failGroups, .expireOrders] { try await server.sweep(task) }
    }

    private var buyersDone: Bool { state.withLock { $0.buyersDone } }

    private func buy(rounds: Int, on loop: EventLoop) async throws {
        let pool = world.server.pools.pool(for: loop)
        for _ in 0..<rounds {
            var placed: [(order: Int, user: String)] = []
            let leader = "lock-\(Int.random(in: 0..<12))"
            if let answer = await attempt({
                try await pool.withConnection {
                    try await self.store.startGroup(
                        user: leader, dealID: Int64(self.deals.randomElement()!), quantity: Int.random(in: 1...3), idempotency: nil, on: $0
                    )
                }
            }) {
                let (order, group) = Self.placed(answer)
                state.withLock { $0.groups.append(group) }
                placed.append((order, leader))
            }
            for _ in 0..<2 {
                guard let group = state.withLock({ $0.groups.suffix(20).randomElement() }) else { break }
                let joiner = "lock-\(Int.random(in: 0..<12))"
                if let answer = await attempt({
                    try await pool.withConnection {
                        try await self.store.joinGroup(user: joiner, groupID: Int64(group), quantity: Int.random(in: 1...3), idempotency: nil, on: $0)
                    }
                }) {
                    placed.append((Self.placed(answer).order, joiner))
                }
            }
            for (order, user) in placed {
                switch Int.random(in: 0..<20) {
                case 0..<12:
                    await attempt { try await self.pay(order: order, user: user, declineFirst: Int.random(in: 0..<5) == 0, on: loop) }
                case 12..<15:
                    await attempt { try await pool.withConnection { try await self.store.cancel(orderID: Int64(order), user: user, on: $0) } }
                default:
                    break  // left to expire
                }
            }
        }
    }

    /// Groups of two on `pairs`, filled and paid straight away, until the buyers are done.
    private func fillPairs(on loop: EventLoop) async throws {
        let pool = world.server.pools.pool(for: loop)
        var round = 0
        while !buyersDone {
            round += 1
            let (leader, joiner) = ("pair-\(round)-a", "pair-\(round)-b")
            guard let started = await attempt({
                try await pool.withConnection {
                    try await self.pairStore.startGroup(user: leader, dealID: Int64(self.pairs), quantity: 1, idempotency: nil, on: $0)
                }
            }) else { continue }
            let (first, group) = Self.placed(started)
            guard let joined = await attempt({
                try await pool.withConnection {
                    try await self.pairStore.joinGroup(user: joiner, groupID: Int64(group), quantity: 1, idempotency: nil, on: $0)
                }
            }) else { continue }
            await attempt { try await self.pay(order: first, user: leader, declineFirst: false, on: loop) }
            await attempt { try await self.pay(order: Self.placed(joined).order, user: joiner, declineFirst: false, on: loop) }
        }
    }

    private func pay(order: Int, user: String, declineFirst: Bool, on loop: EventLoop) async throws {
        let payment = try await payments.pay(orderID: Int64(order), user: user, on: loop)
        guard let object = try JSONSerialization.jsonObject(with: Data(payment.utf8)) as? [String: Any], let intent = object["intentId"] as? String
        else { throw LoadFailure(description: "no intent in \(payment)") }
        if declineFirst { _ = try await world.client.confirm(intentID: intent, paymentMethod: PaymentMethod.cardDeclined) }
        _ = try await world.client.confirm(intentID: intent, paymentMethod: PaymentMethod.cardOK)
    }

    private func sweep(_ task: OrderSweeper.Task, on loop: EventLoop) async throws {
        let pool = world.server.pools.pool(for: loop)
        while !buyersDone {
            let handled = await attempt { try await pool.withConnection { try await OrderSweeper.run(task, batchSize: 20, on: $0) } } ?? 0
            if handled == 0 { try await Task.sleep(for: .milliseconds(5)) }
        }
    }

    /// Every 100 ms, a wave of open groups reaches its time limit and a wave of unpaid orders
    /// the end of its payment window, so that the sweeps get full batches at the same moment
    /// while buyers still join and pay in those groups.
    private func makeWorkDue(on loop: EventLoop) async throws {
        let pool = world.server.pools.pool(for: loop)
        while !buyersDone {
            for (table, status, count) in [("groups", "open", 8), ("orders", "pending_payment", 15)] {
                await attempt {
                    try await pool.withConnection {
                        try await $0.query(
                            """
                            UPDATE \(table) SET expires_at = now() WHERE id IN (
                                SELECT id FROM \(table) WHERE status = '\(status)' AND expires_at > now() AND deal_id <> \(pairs)
                                ORDER BY random() LIMIT \(count) FOR UPDATE SKIP LOCKED)
                            """
                        )
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// An admin at work meanwhile: stock added to the deals (every slot of a deal locked) and
    /// paid or confirmed orders refunded.
    private func administer(on loop: EventLoop) async throws {
        let pool = world.server.pools.pool(for: loop)
        let catalog = CatalogStore(slotsPerDeal: 4)
        let admin = AuditActor(userID: "lock-admin", requestID: "lock-test")
        while !buyersDone {
            let deal = Int64(deals.randomElement()!)
            await attempt { try await pool.withConnection { try await catalog.addStock(id: deal, quantity: 5, by: admin, on: $0) } }
            await attempt {
                try await pool.withConnection { connection in
                    let paid = try await connection.query("SELECT id FROM orders WHERE status IN ('paid', 'confirmed') ORDER BY random() LIMIT 1")
                    guard paid.count == 1, let order = paid[0].int(0) else { return }
                    _ = try await self.store.refund(orderID: Int64(order), actor: admin.userID, requestID: admin.requestID, on: connection)
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs `body`; a business refusal (sold out, window closed, …) is a normal answer (nil), a
    /// deadlock is counted, anything else recorded as unexpected.
    @discardableResult
    private func attempt<Result>(_ body: () async throws -> Result) async -> Result? {
        do {
            return try await body()
        } catch is OrdersError {
            return nil
        } catch let error as PostgresError where error.sqlState == "40P01" {
            state.withLock { $0.deadlocksSeen += 1 }
            return nil
        } catch {
            state.withLock { $0.unexpected.append("\(error)") }
            return nil
        }
    }

    private static func placed(_ answer: StoredResponse) -> (order: Int, group: Int) {
        let object = (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
        let order = object["order"] as? [String: Any] ?? [:]
        let group = object["group"] as? [String: Any] ?? [:]
        return (order["id"] as? Int ?? 0, group["id"] as? Int ?? 0)
    }

    struct LoadFailure: Error, CustomStringConvertible {
        let description: String
    }
}
