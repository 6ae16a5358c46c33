import Auth
import Foundation
import GroupBuyTesting
import Inventory
import Orders
import Postgres
import Testing

/// Issue 4: 300 concurrent buyers for 100 units, quantities 1–3, each over its own TCP
/// connection: never oversold, every refusal is sold-out and was true when made, and
/// the invariant holds while they buy, not only afterwards.
@Suite(.serialized)
struct ConcurrentBuyersTests {
    @Test func threeHundredBuyersNeverOversell() async throws {
        // Room for every buyer to wait for a connection (the default bounds the queue and
        // answers 503 beyond it, which is tested in ResilienceTests).
        try await withAPIServer({ try await APITestServer.start(pool: { $0.maxWaiters = 1_000; $0.acquireTimeout = .seconds(30) }) }) { server in
            let deal = try await server.createDeal(["stock": 100, "perUserLimit": 3, "groupSize": 2])
            let dealID = deal["id"] as! Int
            let quantities = (0..<300).map { 1 + $0 % 3 }

            let checking = Task {
                var checks: [Bool] = []
                while !Task.isCancelled {
                    do {
                        checks.append(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
                    } catch is CancellationError {
                        break  // the buyers are done; a check cut short checked nothing
                    }
                }
                return checks
            }
            let results = try await withThrowingTaskGroup(of: (Int, HTTPResult).self) { group in
                for (index, quantity) in quantities.enumerated() {
                    group.addTask { (quantity, try await server.startGroup(dealID: dealID, quantity: quantity, user: "crowd-\(index)-\(UUID())")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            checking.cancel()
            let checks = try await checking.value

            let bought = results.filter { $0.1.status == 201 }.map(\.0)
            let refused = results.filter { $0.1.status != 201 }
            #expect(bought.reduce(0, +) <= 100)
            for (_, refusal) in refused {
                #expect(refusal.status == 409 && refusal.problemType == "sold-out", "\(refusal.status) \(refusal.body)")
            }
            let stock = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/deals/\(dealID)/stock", bearer: try server.token(.admin))
            let available = stock.json["available"] as! Int
            #expect(stock.json["reserved"] as? Int == bought.reduce(0, +))
            #expect(available + bought.reduce(0, +) == 100)
            // No order was cancelled, so stock only went down: a refusal of q units was true
            // when made only if fewer than q units are left now.
            for quantity in Set(refused.map(\.0)) {
                #expect(available < quantity, "a request for \(quantity) was refused but \(available) units are left")
            }
            #expect(!checks.isEmpty && checks.allSatisfy { $0 }, "invariant checks during the run: \(checks)")
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
        }
    }

    /// The baseline strategy keeps the same guarantees (it is slower, not less correct).
    @Test func theSingleRowBaselineNeverOversellsEither() async throws {
        try await withAPIServer({
            try await APITestServer.start(pool: { $0.maxWaiters = 1_000; $0.acquireTimeout = .seconds(30) }, slotsPerDeal: 1, orders: .init(strategy: .singleRow))
        }) { server in
            let deal = try await server.createDeal(["stock": 30, "perUserLimit": 3])
            let dealID = deal["id"] as! Int
            let results = try await withThrowingTaskGroup(of: (Int, HTTPResult).self) { group in
                for index in 0..<60 {
                    group.addTask { (2, try await server.startGroup(dealID: dealID, quantity: 2, user: "base-\(index)-\(UUID())")) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { $0.1.status == 201 }.count == 15)
            #expect(results.filter { $0.1.status != 201 }.allSatisfy { $0.1.problemType == "sold-out" })
            #expect(try await server.inventoryCheck(dealID: dealID)["healthy"] as? Bool == true)
        }
    }
}
