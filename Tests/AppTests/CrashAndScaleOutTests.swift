import Auth
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// groupbuyd as operators run it: killed with SIGKILL in the middle of buying and paying, and
/// two instances sharing one database. Real processes, real PostgreSQL, a real psp-sandbox.
@Suite(.serialized)
struct CrashAndScaleOutTests {
    /// Buyers start groups, friends join, most pay, while the server is killed (-9) and
    /// restarted. Afterwards, within a sweeper period or so, nothing is stuck and every
    /// invariant holds.
    @Test func killNineMidStreamLeavesNothingStuck() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        var daemon = try await world.start(port: port)
        do {
            let base = "http://127.0.0.1:\(port)"
            let admin = try world.token(.admin, user: "ops")
            let deal = try #require(
                await call("POST", base + "/v1/admin/deals", token: admin, body: Self.dealBody(stock: 500))
            )
            let dealID = try #require(deal.json["id"] as? Int)

            let progress = Progress()
            let buyers = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<4 {
                        group.addTask {
                            var round = 0
                            while !progress.stop.load(ordering: .relaxed) {
                                round += 1
                                await Self.buyRound(world: world, base: base, dealID: dealID, name: "w\(worker)-\(round)", payBoth: round % 3 != 0)
                                progress.rounds.add(1, ordering: .relaxed)
                            }
                        }
                    }
                }
            }
            try await world.eventually("some rounds before the crash") { progress.rounds.load(ordering: .relaxed) >= 8 }
            #expect(try await daemon.terminate(signal: SIGKILL) == 128 + SIGKILL)
            daemon = try await world.start(port: port)
            let afterRestart = progress.rounds.load(ordering: .relaxed)
            try await world.eventually("some rounds after the restart") { progress.rounds.load(ordering: .relaxed) >= afterRestart + 8 }
            progress.stop.store(true, ordering: .relaxed)
            await buyers.value

            // Let the groups' time run out (their limit is at least a minute; not worth waiting for).
            _ = try await world.sql("UPDATE groups SET expires_at = now() WHERE deal_id = \(dealID) AND status = 'open'")
            try await world.eventually("every order and group to settle") {
                let open = try await world.sql(
                    """
                    SELECT (SELECT count(*) FROM orders WHERE deal_id = \(dealID) AND status IN ('pending_payment', 'paid', 'refund_pending'))
                         + (SELECT count(*) FROM groups WHERE deal_id = \(dealID) AND status = 'open')
                    """
                )
                return open == ["0"]
            }
            try await Self.expectInvariants(world: world, base: base, dealID: dealID)
            _ = try await daemon.terminate()
        } catch {
            _ = try? await daemon.terminate(signal: SIGKILL)
            try? await world.stop()
            throw error
        }
        try await world.stop()
    }

    /// Two instances on one database, both running the workers: every expiry, group failure and
    /// refund happens exactly once.
    @Test func twoInstancesShareTheWorkExactlyOnce() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        let first = try await world.start(port: port)
        let second = try await world.start(port: try ServiceWorld.freePort())
        do {
            let bases = ["http://127.0.0.1:\(first.port)", "http://127.0.0.1:\(second.port)"]
            let admin = try world.token(.admin, user: "ops")
            let deal = try #require(await call("POST", bases[0] + "/v1/admin/deals", token: admin, body: Self.dealBody(stock: 200)))
            let dealID = try #require(deal.json["id"] as? Int)
            // Paid leaders (their groups will fail: refunds) and unpaid buyers (they will expire),
            // made through both instances.
            var paidOrders: [Int] = []
            for index in 0..<6 {
                let user = "paid-\(index)-\(UUID())"
                let token = try world.token(.buyer, user: user)
                let started = try #require(await call("POST", bases[index % 2] + "/v1/groups", token: token, body: #"{"dealId":\#(dealID)}"#))
                let order = try #require((started.json["order"] as? [String: Any])?["id"] as? Int)
                try await Self.pay(world: world, base: bases[index % 2], order: order, token: token)
                paidOrders.append(order)
            }
            for index in 0..<20 {
                let token = try world.token(.buyer, user: "unpaid-\(index)-\(UUID())")
                #expect(await call("POST", bases[index % 2] + "/v1/groups", token: token, body: #"{"dealId":\#(dealID)}"#)?.status == 201)
            }
            try await world.eventually("the payments to arrive") {
                try await world.sql("SELECT count(*) FROM orders WHERE deal_id = \(dealID) AND status = 'paid'") == ["6"]
            }
            _ = try await world.sql("UPDATE groups SET expires_at = now() WHERE deal_id = \(dealID) AND status = 'open'")
            try await world.eventually("every order and group to settle") {
                try await world.sql(
                    """
                    SELECT (SELECT count(*) FROM orders WHERE deal_id = \(dealID) AND status IN ('pending_payment', 'paid', 'refund_pending'))
                         + (SELECT count(*) FROM groups WHERE deal_id = \(dealID) AND status = 'open')
                    """
                ) == ["0"]
            }
            #expect(try await world.sql("SELECT count(*) FROM orders WHERE deal_id = \(dealID) AND status = 'expired'") == ["20"])
            #expect(try await world.sql("SELECT count(*) FROM orders WHERE deal_id = \(dealID) AND status = 'refunded'") == ["6"])
            // Each refund job was claimed once, and the provider refunded each payment once.
            #expect(try await world.sql("SELECT status || ':' || attempts FROM jobs GROUP BY 1") == ["done:1"])
            let stats = try #require(await call("GET", world.sandboxURL + "/_sandbox/stats"))
            let refunds = stats.json["refunds_by_intent"] as? [String: [String: Int]] ?? [:]
            #expect(refunds.count == 6 && refunds.values.allSatisfy { $0["count"] == 1 }, "\(stats.json)")
            try await Self.expectInvariants(world: world, base: bases[1], dealID: dealID)

            // What operators run: both checks clean (exit 0) ...
            let reconcile = try await Self.gbctl(["payments", "reconcile"], port: second.port, token: admin)
            #expect(reconcile.status == 0 && reconcile.stdout.hasPrefix("ok"), "\(reconcile.stdout) \(reconcile.stderr)")
            let inventory = try await Self.gbctl(["inventory", "check"], port: first.port, token: admin)
            #expect(inventory.status == 0, "\(inventory.stdout) \(inventory.stderr)")
            // ... and a charge we know nothing of at the provider is a mismatch (exit 2).
            _ = try await world.sql("UPDATE payments SET amount = amount + 1 WHERE id = (SELECT min(id) FROM payments)")
            let broken = try await Self.gbctl(["payments", "reconcile"], port: second.port, token: admin)
            #expect(broken.status == 2 && broken.stdout.contains("amount_differs"), "\(broken.stdout) \(broken.stderr)")
            _ = try await first.terminate()
            _ = try await second.terminate()
        } catch {
            _ = try? await first.terminate(signal: SIGKILL)
            _ = try? await second.terminate(signal: SIGKILL)
            try? await world.stop()
            throw error
        }
        try await world.stop()
    }

    // MARK: - Helpers

    final class Progress: Sendable {
        let rounds = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
    }

    static func gbctl(_ arguments: [String], port: Int, token: String) async throws -> Daemon.Completed {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GBCTL_") && !$0.key.hasPrefix("GROUPBUY_") }
        environment["GBCTL_SERVER"] = "http://127.0.0.1:\(port)"
        environment["GBCTL_TOKEN"] = token
        environment["GBCTL_CONFIG"] = GbctlTests.emptyConfig
        let settled = environment
        return try await Daemon.run(GbctlTests.gbctl, arguments, environment: settled)
    }

    static func dealBody(stock: Int) -> String {
        """
        {"title":"Chaos deal","currency":"EUR","listPrice":2000,"groupPrice":1500,"groupSize":2,"groupTimeLimitSeconds":600,
         "startsAt":"2026-01-01T00:00:00Z","endsAt":"2030-01-01T00:00:00Z","perUserLimit":3,"status":"active","stock":\(stock)}
        """
    }

    /// A leader starts a group, a friend joins, and both (or only the leader) pay. Failures
    /// (the server may be down) end the round early, as they would for a real buyer.
    static func buyRound(world: ServiceWorld, base: String, dealID: Int, name: String, payBoth: Bool) async {
        guard let leaderToken = try? world.token(.buyer, user: "leader-\(name)"), let friendToken = try? world.token(.buyer, user: "friend-\(name)"),
            let started = await call("POST", base + "/v1/groups", token: leaderToken, body: #"{"dealId":\#(dealID)}"#), started.status == 201,
            let groupID = (started.json["group"] as? [String: Any])?["id"] as? Int, let leaderOrder = (started.json["order"] as? [String: Any])?["id"] as? Int
        else { return }
        let joined = await call("POST", base + "/v1/groups/\(groupID)/join", token: friendToken)
        try? await pay(world: world, base: base, order: leaderOrder, token: leaderToken)
        if payBoth, let friendOrder = (joined?.json["order"] as? [String: Any])?["id"] as? Int {
            try? await pay(world: world, base: base, order: friendOrder, token: friendToken)
        }
    }

    /// The service makes the intent; the buyer confirms it at the provider.
    static func pay(world: ServiceWorld, base: String, order: Int, token: String) async throws {
        guard let payment = await call("POST", base + "/v1/orders/\(order)/pay", token: token), let intent = payment.json["intentId"] as? String else {
            throw DaemonError("pay \(order) failed")
        }
        _ = await call("POST", world.sandboxURL + "/v1/payment_intents/\(intent)/confirm", token: ServiceWorld.apiKey, body: #"{"payment_method":"pm_card_ok"}"#)
    }

    static func expectInvariants(world: ServiceWorld, base: String, dealID: Int) async throws {
        let admin = try world.token(.admin, user: "ops")
        let inventory = try #require(await call("GET", base + "/v1/admin/inventory/check", token: admin))
        #expect(inventory.json["healthy"] as? Bool == true, "\(inventory.json)")
        // No money kept for a failed group; every paid order ended confirmed or refunded.
        #expect(
            try await world.sql(
                """
                SELECT count(*) FROM orders o JOIN groups g ON g.id = o.group_id
                WHERE g.status = 'failed' AND o.status NOT IN ('expired', 'cancelled', 'refunded')
                """
            ) == ["0"]
        )
        #expect(try await world.sql("SELECT count(*) FROM payments WHERE status IN ('succeeded', 'refund_pending') AND order_id IN (SELECT id FROM orders WHERE status <> 'confirmed')") == ["0"])
        let reconcile = try #require(await call("GET", base + "/v1/admin/payments/reconcile", token: admin))
        #expect(reconcile.json["healthy"] as? Bool == true, "\(reconcile.json)")
    }
}
