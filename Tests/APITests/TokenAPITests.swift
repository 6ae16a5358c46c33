import Auth
import Foundation
import GroupBuyTesting
import Postgres
import Testing

/// `POST /v1/admin/tokens`: buyer tokens for load tests, admin only, validated and audited.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct TokenAPITests {
    @Test func issuedTokensActAsThoseBuyersAndTheCallIsAudited() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["stock": 10, "groupSize": 2])
            let dealID = try #require(deal["id"] as? Int)
            let users = (0..<3).map { "load-\(UUID().uuidString.prefix(8))-\($0)" }
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["users": users, "ttlSeconds": 600]), as: UTF8.self)
            let issued = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/tokens", body: body, bearer: try server.token(.admin, user: "ops"))
            #expect(issued.status == 200, "\(issued.body)")
            let entries = try #require(issued.json["tokens"] as? [[String: Any]])
            #expect(entries.map { $0["userId"] as? String } == users)
            #expect(issued.json["role"] as? String == "buyer")
            let expires = try #require(issued.json["expiresAt"] as? String)
            let expiry = try #require(ISO8601DateFormatter().date(from: expires))
            #expect(abs(expiry.timeIntervalSinceNow - 600) < 120)

            // Each token is its own buyer: the order it places belongs to that user id.
            let token = try #require(entries[1]["token"] as? String)
            let started = try await LiveHTTP.request("POST", server.baseURL + "/v1/groups", body: #"{"dealId":\#(dealID),"quantity":1}"#, bearer: token)
            #expect(started.status == 201, "\(started.body)")
            let owner = try await server.sql("SELECT user_id FROM orders WHERE deal_id = $1::bigint", [.int(dealID)])
            #expect(owner.map { $0[0] } == [users[1]])
            // A buyer token is not an admin one.
            let escalate = try await LiveHTTP.request("GET", server.baseURL + "/v1/admin/orders", bearer: token)
            #expect(escalate.status == 403)

            let audit = try await server.sql(
                "SELECT actor, after->>'count', after->'users'->>2 FROM audit_log WHERE action = 'token.issue' AND after->'users' ? $1::text", [.text(users[0])]
            )
            #expect(audit.count == 1)
            #expect(audit.first == ["ops", "3", users[2]])
        }
    }

    @Test func onlyAdminsMayIssue() async throws {
        try await withAPIServer { server in
            let body = #"{"users":["a"]}"#
            let none = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/tokens", body: body)
            #expect(none.status == 401)
            let buyer = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/tokens", body: body, bearer: try server.token(.buyer))
            #expect(buyer.status == 403)
        }
    }

    @Test func badInputIs422NamingEveryField() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let tooMany = String(decoding: try JSONSerialization.data(withJSONObject: ["users": (0...1_000).map { "u\($0)" }]), as: UTF8.self)
            let cases: [(body: String, fields: Set<String>)] = [
                (#"{}"#, ["users"]),
                (#"{"users":[]}"#, ["users"]),
                (tooMany, ["users"]),
                (#"{"users":"alice"}"#, ["users"]),
                (#"{"users":["alice","alice"]}"#, ["users[1]"]),
                (#"{"users":["ok",7,"","has space"]}"#, ["users[1]", "users[2]", "users[3]"]),
                (#"{"users":["ok"],"ttlSeconds":5}"#, ["ttlSeconds"]),
                (#"{"users":["ok"],"ttlSeconds":"600"}"#, ["ttlSeconds"]),
                (#"{"users":["ok"],"role":"admin"}"#, ["role"]),
            ]
            for (body, fields) in cases {
                let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/tokens", body: body, bearer: admin)
                #expect(result.status == 422, "\(body)")
                let named = Set((result.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String })
                #expect(named == fields, "\(body)")
            }
            let notJSON = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/tokens", body: "users=a", bearer: admin)
            #expect(notJSON.status == 400 || notJSON.status == 415)
            let issued = try await server.sql("SELECT count(*) FROM audit_log WHERE action = 'token.issue' AND after->'users' ? 'ok'")
            #expect(issued.first?.first == "0")
        }
    }
}
