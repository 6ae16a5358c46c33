import Foundation
public import HTTPClient
import HTTPCodec

/// The deals load tests make: created with `testData: true` (the public deal list hides them),
/// their run named in the description, closed through the admin API after the run
/// (`RunCleanup`) or by `gbload cleanup`.
public struct TestDeals: Sendable {
    public var service: Endpoint
    public var adminToken: String
    public var clients: HTTPClients
    /// Calls made at once.
    public var parallelism = 8
    public var timeout: Duration = .seconds(30)

    public init(service: Endpoint, adminToken: String, clients: HTTPClients) {
        self.service = service
        self.adminToken = adminToken
        self.clients = clients
    }

    /// A test deal that is not closed yet, as the admin list shows it.
    public struct Listed: Sendable, Equatable {
        public var id: Int64
        public var title: String
        /// The run that made it; nil when its description is not gbload's.
        public var runID: String?
        public var status: String
    }

    /// `Made by gbload for a load test (scenario flash-sale, run t1a2b3).`
    static func description(scenario: String, runID: String) -> String {
        "Made by gbload for a load test (scenario \(scenario), run \(runID))."
    }

    /// The run named by a description `description(scenario:runID:)` wrote.
    static func runID(inDescription text: String) -> String? {
        guard text.hasPrefix("Made by gbload for a load test ("), text.hasSuffix(")."),
            let range = text.range(of: ", run ", options: .backwards)
        else { return nil }
        return String(text[range.upperBound..<text.index(text.endIndex, offsetBy: -2)])
    }

    private var admin: AdminClient {
        AdminClient(clients: clients, endpoint: service, bearer: adminToken, timeout: timeout)
    }

    /// Every test-data deal not closed yet (all runs', or `run`'s), in id order: the admin list
    /// `GET /v1/deals?testData=true&status=…` for each status but closed, page by page.
    public func open(run: String? = nil) async throws(ScenarioSetupError) -> [Listed] {
        var found: [Listed] = []
        for status in ["draft", "active", "paused"] {
            var cursor: String?
            repeat {
                let target = "/v1/deals?testData=true&status=\(status)&limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")
                let answer = try await admin.send(.get, target, accept: [200])
                guard let items = answer.object["items"] as? [[String: Any]] else {
                    let detail = "no `items` list: \(answer.text.prefix(200))"
                    throw ScenarioSetupError(call: "GET \(target)", status: answer.status, detail: detail)
                }
                for item in items {
                    guard let id = (item["id"] as? NSNumber)?.int64Value else { continue }
                    let runID = (item["description"] as? String).flatMap(Self.runID(inDescription:))
                    let listed = Listed(id: id, title: item["title"] as? String ?? "", runID: runID, status: item["status"] as? String ?? status)
                    if run == nil || listed.runID == run { found.append(listed) }
                }
                cursor = answer.object["nextCursor"] as? String
            } while cursor != nil
        }
        return found.sorted { $0.id < $1.id }
    }

    /// Closes each deal (`POST /v1/admin/deals/{id}/close`; closing a closed one changes
    /// nothing). Answers the deals that could not be closed, with why.
    public func close(_ ids: [Int64]) async -> [(id: Int64, error: ScenarioSetupError)] {
        let admin = self.admin
        let outcomes = (try? await BoundedConcurrency.map(ids.count, limit: parallelism) { index -> ScenarioSetupError? in
            do throws(ScenarioSetupError) {
                _ = try await admin.send(.post, "/v1/admin/deals/\(ids[index])/close", accept: [200])
                return nil
            } catch {
                return error
            }
        }) ?? ids.map { _ in ScenarioSetupError(call: "closing deals", status: nil, detail: "interrupted") }
        return zip(ids, outcomes).compactMap { id, error in error.map { (id, $0) } }
    }
}
