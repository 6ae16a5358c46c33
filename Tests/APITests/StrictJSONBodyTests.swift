import Auth
import Foundation
import GroupBuyTesting
import PSPWire
import Postgres
import Testing

/// Request bodies are read by the strict reader on every route that takes JSON: a body that
/// could mean two things, or holds text PostgreSQL cannot store, is a 400 that says why, and
/// changes nothing.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct StrictJSONBodyTests {
    @Test func aRepeatedMemberIsRefusedNamingIt() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            let dealID = try #require(deal["id"] as? Int)
            let buyer = "dup-\(UUID())"
            let token = try server.token(.buyer, user: buyer)
            let started = try await Curl.request(
                "POST", server.baseURL + "/v1/groups", body: #"{"dealId":\#(dealID),"quantity":3,"quantity":1}"#, bearer: token
            )
            #expect(started.status == 400)
            #expect(started.headers["content-type"] == "application/problem+json")
            #expect(started.problemType == "malformed-json")
            #expect((started.json["detail"] as? String)?.contains(#"the member "quantity" appears twice"#) == true, "\(started.body)")
            // Through an escape it is the same name.
            let escaped = try await Curl.request(
                "POST", server.baseURL + "/v1/groups", body: #"{"dealId":\#(dealID),"quantity":1,"\u0071uantity":2}"#, bearer: token
            )
            #expect(escaped.status == 400 && escaped.problemType == "malformed-json")
            let orders = try await Curl.request("GET", server.baseURL + "/v1/orders", bearer: token)
            #expect((orders.json["items"] as? [Any])?.isEmpty == true, "\(orders.body)")

            let title = "dup-title-\(UUID())"
            let created = try await Curl.request(
                "POST", server.baseURL + "/v1/admin/deals", body: "{\"title\":\"\(title)\"," + dealBody().dropFirst(), bearer: try server.token(.admin)
            )
            #expect(created.status == 400 && created.problemType == "malformed-json")
            #expect((created.json["detail"] as? String)?.contains(#""title""#) == true, "\(created.body)")
            #expect(try await server.sql("SELECT count(*) FROM deals WHERE title = $1", [.text(title)]) == [["0"]])
        }
    }

    @Test func nulAndHalfSurrogatesAreRefusedInEveryBody() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal(["groupSize": 2, "stock": 10])
            let dealID = try #require(deal["id"] as? Int)
            let admin = try server.token(.admin)
            let buyer = try server.token(.buyer, user: "nul-\(UUID())")
            let version = try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)").headers["etag"] ?? ""
            for text in [#"erin\u0000x"#, "\\u0000", #"a\ud800b"#, #"\udfff"#] {
                let routes: [(String, String, String, String, [String: String])] = [
                    ("POST", "/v1/admin/deals", admin, dealBody().replacingOccurrences(of: #""5 kg of"#, with: #""\#(text)"#), [:]),
                    ("PATCH", "/v1/admin/deals/\(dealID)", admin, #"{"title":"\#(text)"}"#, ["If-Match": version]),
                    ("POST", "/v1/admin/deals/\(dealID)/stock", admin, #"{"quantity":1,"note":"\#(text)"}"#, [:]),
                    ("POST", "/v1/admin/tokens", admin, #"{"users":["\#(text)"]}"#, [:]),
                    ("POST", "/v1/groups", buyer, #"{"dealId":\#(dealID),"\#(text)":1}"#, [:]),
                    ("POST", "/v1/groups/1/join", buyer, #"{"quantity":1,"x":["\#(text)"]}"#, [:]),
                ]
                for (method, path, token, body, headers) in routes {
                    let answer = try await Curl.request(method, server.baseURL + path, headers: headers, body: body, bearer: token)
                    #expect(answer.status == 400 && answer.problemType == "malformed-json", "\(method) \(path) \(body): \(answer.status) \(answer.body)")
                }
            }
            let read = try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)")
            #expect(read.headers["etag"] == version, "the deal did not change")
        }
    }

    @Test func aSignedWebhookWithNulIsRefusedNot500() async throws {
        try await withAPIServer { server in
            let now = Int64(Date().timeIntervalSince1970)
            func event(id: String, metadata: [String: String]) throws -> String {
                let intent = PaymentIntent(id: "pi_\(UUID())", status: .succeeded, amount: 100, currency: "EUR", metadata: metadata, created: 0)
                return String(decoding: try PSPJSON.encode(PSPEvent(id: id, type: .paymentIntentSucceeded, created: 0, object: .paymentIntent(intent))), as: UTF8.self)
            }
            let bodies = [
                try event(id: "evt_nul_\(UUID())", metadata: ["note": "a\u{0}b"]),
                try event(id: "evt_\u{0}\(UUID())", metadata: [:]),
                #"{"id":"evt_dup","id":"evt_dup2","type":"customer.created","created":1,"data":{}}"#,
            ]
            for body in bodies {
                #expect(body.contains(#"\u0000"#) || body.contains("evt_dup"))
                let signature = WebhookSignature.sign(body: Array(body.utf8), secret: APITestServer.webhookSecret, timestamp: now)
                let answer = try await Curl.request("POST", server.baseURL + "/v1/webhooks/psp", headers: ["PSP-Signature": signature], body: body)
                #expect(answer.status == 400 && answer.problemType == "malformed-json", "\(body): \(answer.status) \(answer.body)")
            }
        }
    }

    @Test func deepAndOversizeBodiesAreRefused() async throws {
        try await withAPIServer { server in
            let buyer = try server.token(.buyer, user: "deep-\(UUID())")
            let deep = #"{"dealId":1,"x":"# + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + "}"
            let tooDeep = try await Curl.request("POST", server.baseURL + "/v1/groups", body: deep, bearer: buyer)
            #expect(tooDeep.status == 400 && tooDeep.problemType == "malformed-json")
            #expect((tooDeep.json["detail"] as? String)?.contains("deeper than 32") == true, "\(tooDeep.body)")
            let trailingComma = try await Curl.request("POST", server.baseURL + "/v1/groups", body: #"{"dealId":1,}"#, bearer: buyer)
            #expect(trailingComma.status == 400 && trailingComma.problemType == "malformed-json")
        }
    }
}
