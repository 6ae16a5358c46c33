import Auth
import Foundation
import GroupBuyTesting
import Testing

/// Every way a deal body can be wrong gets a 422 naming the field; nothing is stored.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct CatalogValidationTests {
    nonisolated(unsafe) static let cases: [(String, [String: Any], [String])] = [
        ("title", ["title": ""], []), ("title", ["title": String(repeating: "x", count: 201)], []), ("title", ["title": 5], []),
        ("title", [:], ["title"]), ("description", ["description": String(repeating: "d", count: 5_001)], []),
        ("imageUrl", ["imageUrl": "javascript:alert(1)"], []), ("imageUrl", ["imageUrl": 7], []),
        ("currency", ["currency": "eur"], []), ("currency", ["currency": "EURO"], []), ("currency", [:], ["currency"]),
        ("listPrice", ["listPrice": 0], []), ("listPrice", ["listPrice": "2000"], []), ("listPrice", ["listPrice": 19.99], []),
        ("groupPrice", ["groupPrice": 2_001], []), ("groupPrice", ["groupPrice": -1], []), ("groupPrice", ["groupPrice": true], []),
        ("groupSize", ["groupSize": 1], []), ("groupSize", ["groupSize": 101], []), ("groupSize", ["groupSize": 3_000_000_000], []),
        ("groupTimeLimitSeconds", ["groupTimeLimitSeconds": 10], []), ("startsAt", ["startsAt": "yesterday"], []),
        ("startsAt", ["startsAt": "2026-02-30T00:00:00Z"], []), ("endsAt", ["endsAt": "2025-01-01T00:00:00Z"], []),
        ("perUserLimit", ["perUserLimit": 0], []), ("perUserLimit", ["perUserLimit": NSNull()], []),
        ("status", ["status": "closed"], []), ("status", ["status": "open"], []), ("stock", ["stock": -1], []),
        ("stock", ["stock": 10_000_001], []), ("colour", ["colour": "red"], []),
    ]

    @Test(arguments: cases.indices)
    func eachBadFieldIsNamed(index: Int) async throws {
        let (field, overrides, removing) = Self.cases[index]
        try await withAPIServer { server in
            let body = dealBody(overrides, removing: removing)
            let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: body, bearer: try server.token(.admin))
            #expect(result.status == 422, "\(body)")
            #expect(result.headers["content-type"] == "application/problem+json")
            #expect(result.invalidFields == [field], "\(body) → \(result.body)")
        }
    }

    @Test func allProblemsAreListedTogether() async throws {
        try await withAPIServer { server in
            let body = dealBody(["title": "", "currency": "x", "groupSize": 0], removing: ["endsAt"])
            let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: body, bearer: try server.token(.admin))
            #expect(result.status == 422)
            #expect(Set(result.invalidFields) == ["title", "currency", "groupSize", "endsAt"])
        }
    }

    @Test(arguments: [
        ("not json", 400), ("[1,2]", 400), ("\"text\"", 400), ("{\"title\":", 400), ("", 400),
    ])
    func aBodyThatIsNotAJSONObjectIs400(body: String, status: Int) async throws {
        try await withAPIServer { server in
            let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: body, bearer: try server.token(.admin))
            #expect(result.status == status)
            #expect((result.json["type"] as? String)?.hasSuffix("/malformed-json") == true)
        }
    }

    @Test func anotherMediaTypeIs415() async throws {
        try await withAPIServer { server in
            let result = try await LiveHTTP.request(
                "POST", server.baseURL + "/v1/admin/deals", headers: ["Content-Type": "text/plain"], body: dealBody(), bearer: try server.token(.admin)
            )
            #expect(result.status == 415)
        }
    }

    @Test(arguments: ["limit=0", "limit=101", "limit=ten", "status=open", "active=yes", "cursor=bm90LWEtY3Vyc29y", "cursor=%ZZ"])
    func badListQueriesAreRefused(query: String) async throws {
        try await withAPIServer { server in
            let result = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?\(query)")
            #expect(result.status == 422 || result.status == 400, "\(query) → \(result.status)")
        }
    }
}
