import Auth
import Foundation
import GroupBuyTesting
import Testing

/// Dead outbox jobs are "shown by gbctl and /metrics": a refund the provider keeps failing is
/// given up after payments.outbox_max_attempts, and then listed and counted.
@Suite(.serialized) struct GbctlOutboxTests {
    let cli = GbctlTests()

    @Test func aRefundTheProviderKeepsFailingBecomesADeadJobListedByGbctlAndCountedInMetrics() async throws {
        let port = try ServiceWorld.freePort()
        let world = try await ServiceWorld(webhookPort: port)
        let daemon = try await world.start(port: port, extra: ["GROUPBUY_PAYMENTS_OUTBOX_MAX_ATTEMPTS": "2"])
        defer { daemon.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        let admin = try world.token(.admin, user: "ops")
        let deal = try #require(await call("POST", base + "/v1/admin/deals", token: admin, body: CrashAndScaleOutTests.dealBody(stock: 10)))
        let dealID = try #require(deal.json["id"] as? Int, "\(deal.json)")
        let buyer = try world.token(.buyer, user: "outbox-\(UUID())")
        let started = try #require(await call("POST", base + "/v1/groups", token: buyer, body: #"{"dealId":\#(dealID)}"#))
        let orderID = try #require((started.json["order"] as? [String: Any])?["id"] as? Int, "\(started.json)")
        try await CrashAndScaleOutTests.pay(world: world, base: base, order: orderID, token: buyer)
        try await world.eventually("the payment to arrive") {
            try await world.sql("SELECT status FROM orders WHERE id = \(orderID)") == ["paid"]
        }

        // Every provider call fails from now on: the refund is retried, then given up.
        #expect(await call("POST", world.sandboxURL + "/_sandbox/config", body: #"{"fail_next":1000}"#)?.status == 200)
        #expect(await call("POST", base + "/v1/admin/orders/\(orderID)/refund", token: admin)?.status == 200)
        try await world.eventually("the refund job to die") {
            try await world.sql("SELECT status || ':' || attempts FROM jobs") == ["dead:2"]
        }
        let jobID = try #require(try await world.sql("SELECT id FROM jobs").first)

        let listed = try await cli.gbctl(["outbox", "list", "--state", "dead"], port: port, token: admin)
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("ID") == true && lines.count == 2, "\(listed.stdout)")
        #expect(lines.last?.hasPrefix("\(jobID) ") == true && lines.last?.contains("refund") == true, "\(listed.stdout)")
        #expect(lines.last?.contains("provider failed (500") == true, "the last error is shown: \(listed.stdout)")

        let json = try await cli.gbctl(["outbox", "list", "--state", "dead", "--json"], port: port, token: admin)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let items = try #require(page["items"] as? [[String: Any]])
        #expect(items.count == 1 && page.keys.sorted() == ["items", "nextCursor"], "\(page)")
        #expect(items.first?["state"] as? String == "dead" && items.first?["attempts"] as? Int == 2, "\(items)")
        let queued = try await cli.gbctl(["outbox", "list", "--state", "queued", "--json"], port: port, token: admin).stdout
        #expect((try JSONSerialization.jsonObject(with: Data(queued.utf8)) as? [String: Any])?["items"] as? [Any] != nil, "\(queued)")
        #expect(!queued.contains("\"id\""), "no queued job: \(queued)")

        let metrics = await MetricsExposition(try Daemon.curl(["-s", base + "/metrics"]))
        let dead = metrics.samples(named: "groupbuy_outbox_jobs").first { $0.labels.contains { $0 == ("state", "dead") } }
        #expect(dead?.value == 1, "\(metrics.samples(named: "groupbuy_outbox_jobs"))")
        let status = try await cli.gbctl(["status"], port: port)
        #expect(status.stdout.contains("outbox jobs          0 queued, 0 running, 1 dead"), "\(status.stdout)")

        // Bad usage is refused before anything is sent; the route checks its input too.
        await #expect(try cli.gbctl(["outbox", "list", "--state", "buried"], port: port, token: admin).status == 64)
        #expect(await call("GET", base + "/v1/admin/outbox?state=buried", token: admin)?.status == 422)
        #expect(await call("GET", base + "/v1/admin/outbox", token: buyer)?.status == 403)
        _ = try await daemon.terminate()
        try await world.stop()
    }
}
