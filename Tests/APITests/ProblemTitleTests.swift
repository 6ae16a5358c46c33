@testable import API
import Auth
import GroupBuyTesting
import HTTPCodec
import Testing

/// Every problem type has a title of its own (RFC 9457 §3.1.3), not the HTTP reason phrase.
@Suite struct ProblemTitleTests {
    @Test func titlesAndNamesAreDistinctAndNoneIsAStatusPhrase() {
        let types = ProblemType.allCases
        #expect(Set(types.map(\.title)).count == types.count)
        #expect(Set(types.map(\.entry.name)).count == types.count)
        let phrases = Set((100...599).map { HTTPStatus(code: $0).reasonPhrase.description.lowercased() })
        for type in types {
            #expect(!phrases.contains(type.title.lowercased()), "\(type): \(type.title)")
            #expect(!type.title.isEmpty && type.title.count <= 40)
            #expect(type.uri == "https://groupbuy.example/problems/" + type.entry.name)
        }
    }

    @Test(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
    func answersCarryTheirTypesTitle() async throws {
        try await withAPIServer { server in
            let cases: [(HTTPResult, ProblemType)] = [
                (try await LiveHTTP.request("GET", server.baseURL + "/v1/deals/999999999"), .notFound),
                (try await LiveHTTP.request("GET", server.baseURL + "/v1/deals?limit=0"), .validation),
                (try await LiveHTTP.request("GET", server.baseURL + "/v1/orders", bearer: "nonsense"), .unauthenticated),
                (try await LiveHTTP.request("POST", server.baseURL + "/v1/groups", body: "{", bearer: try server.token(.buyer)), .malformedJSON),
                (try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/orders", bearer: try server.token(.buyer)), .forbidden),
            ]
            for (answer, type) in cases {
                #expect(answer.json["type"] as? String == type.uri, "\(answer.body)")
                #expect(answer.json["title"] as? String == type.title, "\(answer.body)")
            }
        }
    }
}
