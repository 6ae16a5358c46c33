import Auth
import Orders
import Postgres
import Foundation
import GroupBuyTesting
import Testing
import IOCore

/// Runs `body` against a fresh API server, stopped afterwards whatever happens.
func withAPIServer<Result>(
    _ start: () async throws -> APITestServer = { try await APITestServer.start() },
    _ body: (APITestServer) async throws -> Result
) async throws -> Result {
    let server = try await start()
    do {
        let result = try await body(server)
        try await server.stop()
        return result
    } catch {
        try? await server.stop()
        throw error
    }
}

/// A valid deal body, with `overrides` replacing (or, with NSNull, nulling) members.
func dealBody(_ overrides: [String: Any] = [:], removing: [String] = []) -> String {
    var deal: [String: Any] = [
        "title": "Mango box \(UUID().uuidString.prefix(6))", "description": "5 kg of Alphonso mangoes",
        "imageUrl": "https://img.example/mango.jpg", "currency": "EUR", "listPrice": 2_000, "groupPrice": 1_500,
        "groupSize": 3, "groupTimeLimitSeconds": 86_400, "startsAt": "2026-01-01T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z",
        "perUserLimit": 2, "status": "active", "stock": 100,
    ]
    for name in removing { deal.removeValue(forKey: name) }
    deal.merge(overrides) { _, new in new }
    let data = try! JSONSerialization.data(withJSONObject: deal, options: [.sortedKeys])
    return String(decoding: data, as: UTF8.self)
}

extension APITestServer {
    /// Creates a deal as an admin; returns its JSON object.
    func createDeal(_ overrides: [String: Any] = [:]) async throws -> [String: Any] {
        let result = try await LiveHTTP.request("POST", baseURL + "/v1/admin/deals", body: dealBody(overrides), bearer: try token(.admin))
        guard result.status == 201 else { throw LiveHTTPError("create failed: \(result.status) \(result.body)") }
        return result.json
    }
}

extension APITestServer {
    /// Runs `sql` (bound `parameters`) on a pooled connection of the first loop and answers
    /// the rows as strings (NULL as nil).
    func sql(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> [[String?]] {
        let pool = pools.pool(for: group.loops[0])
        return try await Task(executorPreference: group.loops[0]) {
            try await pool.withConnection { connection in
                let rows = try await connection.query(sql, parameters)
                return (0..<rows.count).map { index in (0..<rows.columns.count).map { rows[index].string($0) } }
            }
        }.value
    }

    /// Sweeps `task` as the background workers do: batches until one is not full (the test
    /// database holds other tests' due work too). Answers how many items were handled.
    @discardableResult
    func sweep(_ task: OrderSweeper.Task, batchSize: Int = 100) async throws -> Int {
        let pool = pools.pool(for: group.loops[0])
        return try await Task(executorPreference: group.loops[0]) {
            var total = 0
            while true {
                let handled = try await pool.withConnection { try await OrderSweeper.run(task, batchSize: batchSize, on: $0) }
                total += handled
                if handled < batchSize { return total }
            }
        }.value
    }

    /// The inventory check as admins see it.
    func inventoryCheck(dealID: Int? = nil) async throws -> [String: Any] {
        let url = baseURL + "/v1/admin/inventory/check" + (dealID.map { "?dealId=\($0)" } ?? "")
        let result = try await LiveHTTP.request("GET", url, bearer: try token(.admin))
        guard result.status == 200 else { throw LiveHTTPError("inventory check: \(result.status) \(result.body)") }
        return result.json
    }

    /// Starts a group for `dealID` as `user`.
    func startGroup(dealID: Int, quantity: Int = 1, user: String, key: String? = nil) async throws -> HTTPResult {
        try await LiveHTTP.request(
            "POST", baseURL + "/v1/groups", headers: key.map { ["Idempotency-Key": $0] } ?? [:],
            body: #"{"dealId":\#(dealID),"quantity":\#(quantity)}"#, bearer: try token(.buyer, user: user)
        )
    }

    func joinGroup(_ groupID: Int, quantity: Int = 1, user: String) async throws -> HTTPResult {
        try await LiveHTTP.request(
            "POST", baseURL + "/v1/groups/\(groupID)/join", body: #"{"quantity":\#(quantity)}"#, bearer: try token(.buyer, user: user)
        )
    }
}

extension HTTPResult {
    /// The last path segment of a problem's `type`, e.g. "sold-out".
    var problemType: String? {
        (json["type"] as? String)?.split(separator: "/").last.map(String.init)
    }

    /// `{"group": …, "order": …}` members of a start or join answer.
    var group: [String: Any] { json["group"] as? [String: Any] ?? [:] }
    var order: [String: Any] { json["order"] as? [String: Any] ?? [:] }
}
