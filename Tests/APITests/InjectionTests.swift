import Auth
import Foundation
import GroupBuyTesting
import Testing

/// Input only ever reaches PostgreSQL as bound parameters: SQL in any field is stored or
/// refused as text, and the tables are intact afterwards.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct InjectionTests {
    static let payloads = [
        "'; DROP TABLE deals; --", "1 OR 1=1", "x' OR '1'='1", "\\'; SELECT pg_sleep(5); --", "$1", "1); DELETE FROM deals; --",
    ]

    @Test func sqlInEveryParameterIsJustText() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            for payload in Self.payloads {
                // Text fields keep the payload verbatim.
                let created = try await server.createDeal(["title": payload, "description": payload])
                let id = try #require(created["id"] as? Int)
                let read = try await Curl.request("GET", server.baseURL + "/v1/deals/\(id)")
                #expect(read.json["title"] as? String == payload)
                let escaped = payload.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                // Path ids, query values, header values and typed fields refuse it.
                #expect(try await Curl.request("GET", server.baseURL + "/v1/deals/\(escaped)").status == 404)
                #expect(try await Curl.request("GET", server.baseURL + "/v1/deals?status=\(escaped)").status == 422)
                #expect(try await Curl.request("GET", server.baseURL + "/v1/deals?cursor=\(escaped)").status == 422)
                #expect(try await Curl.request("GET", server.baseURL + "/v1/deals?limit=\(escaped)").status == 422)
                let audit = try await Curl.request("GET", server.baseURL + "/v1/admin/audit?entityId=\(escaped)", bearer: admin)
                #expect(audit.status == 200)
                #expect((audit.json["items"] as? [Any])?.isEmpty == true)
                let patched = try await Curl.request(
                    "PATCH", server.baseURL + "/v1/admin/deals/\(id)", headers: ["If-Match": "\"v1\" , \(payload)"],
                    body: #"{"currency":"\#(payload.replacingOccurrences(of: "\\", with: "\\\\"))"}"#, bearer: admin
                )
                #expect(patched.status == 422)
            }
            // The tables are all still there and answer.
            let list = try await Curl.request("GET", server.baseURL + "/v1/deals?limit=1")
            #expect(list.status == 200)
        }
    }
}
