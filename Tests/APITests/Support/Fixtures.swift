import Auth
import Foundation

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
        let result = try await Curl.request("POST", baseURL + "/v1/admin/deals", body: dealBody(overrides), bearer: try token(.admin))
        guard result.status == 201 else { throw CurlError("create failed: \(result.status) \(result.body)") }
        return result.json
    }
}
