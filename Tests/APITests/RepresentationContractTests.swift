import Auth
import Foundation
import GroupBuyTesting
import Postgres
import Testing

/// Every resource's JSON has exactly the members its example in docs/API.md shows, at every
/// level where both are objects (arrays by their first element): a member added, renamed or
/// dropped in a renderer (Swift or SQL) fails here until the documentation says so too.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct RepresentationContractTests {
    @Test func everyResourceHasTheMembersDocsAPIShows() async throws {
        let examples = try DocumentedExamples.load()
        try await PaymentWorld.with { world in
            let server = world.server
            let admin = try server.token(.admin)
            let deal = try await server.createDeal(["groupSize": 2])
            let dealID = try #require(deal["id"] as? Int)
            let read = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/\(dealID)")
            try examples.expectSameMembers(read.json, as: "## Deals")

            let stock = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/admin/deals/\(dealID)/stock", body: #"{"quantity":4}"#, bearer: admin
            )
            try examples.expectSameMembers(stock.json, as: "### `POST /v1/admin/deals/{id}/stock`")

            let started = try await server.startGroup(dealID: dealID, user: "contract-alice")
            #expect(started.status == 201, "\(started.body)")
            try examples.expectSameMembers(started.json, as: "### `POST /v1/groups`")

            let orderID = try #require(started.order["id"] as? Int)
            let paid = try await world.pay(orderID: orderID, user: "contract-alice").payment
            #expect(paid.status == 201, "\(paid.body)")
            try examples.expectSameMembers(paid.json, as: "### `POST /v1/orders/{id}/pay`")
            // The order shows the same payment (without the secret, which is asked of the provider).
            let order = try await LiveHTTP.request("GET", server.baseURL + "/v1/orders/\(orderID)", bearer: admin)
            var payment = try examples.example(under: "### `POST /v1/orders/{id}/pay`")
            payment.removeValue(forKey: "clientSecret")
            #expect(DocumentedExamples.differences(payment, order.json["payment"] ?? NSNull(), at: "payment") == [])

            let groups = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/groups?dealId=\(dealID)", bearer: admin)
            let group = try #require((groups.json["items"] as? [Any])?.first)
            try examples.expectSameMembers(group, as: "### Admin: `GET /v1/admin/orders`")

            let report = try await server.inventoryCheck(dealID: dealID)
            try examples.expectSameMembers(report, as: "### `GET /v1/admin/inventory/check`")

            let closed = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals/\(dealID)/close", bearer: admin)
            #expect(closed.status == 200)
            let audit = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/audit?entityId=\(dealID)", bearer: admin)
            let entry = try #require((audit.json["items"] as? [Any])?.first)
            try examples.expectSameMembers(entry, as: "### `GET /v1/admin/audit`")

            _ = try await server.sql(
                "INSERT INTO jobs (kind, payload, dedupe_key) VALUES ('refund', '{\"refundId\": 7}', $1::text)",
                [.text("contract:\(UUID())")]
            )
            let outbox = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/outbox?limit=1", bearer: admin)
            let job = try #require((outbox.json["items"] as? [Any])?.first)
            try examples.expectSameMembers(job, as: "### `GET /v1/admin/outbox`")
            let fields = try #require(job as? [String: Any])
            #expect(fields["payload"] as? [String: Int] == ["refundId": 7] && fields["lockedUntil"] is NSNull)
            #expect((fields["runAt"] as? String)?.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) != nil, "\(fields)")

            let tokens = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/admin/tokens", body: #"{"users":["contract-bob"]}"#, bearer: admin
            )
            try examples.expectSameMembers(tokens.json, as: "### `POST /v1/admin/tokens`")
        }
    }

    @Test func aMemberMissingOrExtraIsNamed() {
        let documented: [String: Any] = ["id": 1, "group": ["id": 2, "size": 3], "items": [["a": 1]], "any": [String: Any]()]
        let live: [String: Any] = [
            "id": 1, "group": ["id": 2, "seats": 3], "items": [["a": 1, "b": 2]], "extra": true, "any": ["free": "form"],
        ]
        #expect(
            DocumentedExamples.differences(documented, live, at: "x").sorted()
                == ["x.extra: not documented", "x.group.seats: not documented", "x.group.size: documented, missing",
                    "x.items[0].b: not documented"]
        )
    }
}

/// The ```json examples of docs/API.md, each under the heading it follows.
struct DocumentedExamples {
    let examples: [(heading: String, json: String)]

    static func load() throws -> DocumentedExamples {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/API.md"), encoding: .utf8)
        var examples: [(String, String)] = []
        var heading = ""
        var block: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if block != nil {
                if line.hasPrefix("```") {
                    examples.append((heading, block!.joined(separator: "\n")))
                    block = nil
                } else {
                    block!.append(line)
                }
            } else if line.hasPrefix("#") {
                heading = String(line)
            } else if line == "```json" {
                block = []
            }
        }
        return DocumentedExamples(examples: examples)
    }

    /// The first example under the heading that starts with `heading`, as an object.
    func example(under heading: String) throws -> [String: Any] {
        let json = try #require(examples.first { $0.heading.hasPrefix(heading) }?.json, "no ```json example under \(heading)")
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "the example under \(heading)")
    }

    func expectSameMembers(_ live: Any, as heading: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let found = Self.differences(try example(under: heading), live, at: "")
        #expect(found == [], "\(heading): \(found)", sourceLocation: sourceLocation)
    }

    /// Members of `live` the documentation lacks and documented members `live` lacks, by path.
    /// A documented `{}` stands for JSON of any shape (e.g. an audit entry's row snapshots).
    static func differences(_ documented: Any, _ live: Any, at path: String) -> [String] {
        if let documented = documented as? [String: Any], !documented.isEmpty, let live = live as? [String: Any] {
            var found: [String] = []
            for name in documented.keys.sorted() {
                guard let value = live[name] else {
                    found.append("\(path).\(name): documented, missing")
                    continue
                }
                found += differences(documented[name]!, value, at: "\(path).\(name)")
            }
            for name in live.keys.sorted() where documented[name] == nil { found.append("\(path).\(name): not documented") }
            return found
        }
        if let documented = documented as? [Any], let live = live as? [Any], let first = documented.first, let other = live.first {
            return differences(first, other, at: "\(path)[0]")
        }
        return []
    }
}
