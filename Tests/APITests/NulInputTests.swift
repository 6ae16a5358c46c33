import API
import Auth
import Foundation
import GroupBuyTesting
import HTTPServer
import Postgres
import Testing

/// U+0000, which PostgreSQL text cannot hold (libpq cuts a value at it), is refused with a 4xx
/// wherever text enters: query strings, path segments, token subjects (JSON bodies: see
/// StrictJSONBodyTests), and, as a last line, any statement parameter.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct NulInputTests {
    @Test func aNulInAQueryStringIs400() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let deal = try await server.createDeal()
            let dealID = try #require(deal["id"] as? Int)
            let paths = [
                "/v1/deals?status=active%00", "/v1/deals?cursor=%00", "/v1/deals?%00=1", "/v1/admin/audit?entityId=\(dealID)%00x",
                "/v1/admin/orders?userId=erin%00x", "/v1/admin/groups?status=open%00", "/v1/deals/\(dealID)/groups?status=open%00",
                "/v1/admin/payments/reconcile?since=2026-01-01T00:00:00Z%00",
            ]
            for path in paths {
                let answer = try await Curl.request("GET", server.baseURL + path, bearer: admin)
                #expect(answer.status == 400 && answer.problemType == "bad-query", "\(path): \(answer.status) \(answer.body)")
                #expect((answer.json["detail"] as? String)?.contains("NUL") == true)
            }
        }
    }

    @Test func aNulInAPathSegmentFindsNothing() async throws {
        try await withAPIServer { server in
            let admin = try server.token(.admin)
            let deal = try await server.createDeal()
            let dealID = try #require(deal["id"] as? Int)
            for (method, path) in [
                ("GET", "/v1/deals/\(dealID)%00"), ("GET", "/v1/deals/%00"), ("POST", "/v1/groups/%00/join"), ("GET", "/v1/orders/1%00"),
                ("PATCH", "/v1/admin/deals/\(dealID)%00"), ("POST", "/v1/admin/orders/%001/refund"),
            ] {
                let answer = try await Curl.request(method, server.baseURL + path, headers: ["If-Match": "*"], body: "{}", bearer: admin)
                #expect(answer.status == 404, "\(method) \(path): \(answer.status) \(answer.body)")
            }
        }
    }

    @Test func aTokenWhoseSubjectHoldsANulActsAsNobody() async throws {
        try await withAPIServer { server in
            let erin = "erin-\(UUID())"
            let deal = try await server.createDeal(["groupSize": 2])
            let started = try await server.startGroup(dealID: try #require(deal["id"] as? Int), user: erin)
            #expect(started.status == 201)
            let forged = try server.token(.buyer, user: erin + "\u{0}x")
            let orders = try await Curl.request("GET", server.baseURL + "/v1/orders", bearer: forged)
            #expect(orders.status == 401 && orders.problemType == "unauthenticated", "\(orders.body)")
        }
    }

    /// Were an edge to miss one, the statement refuses it: 400, never a cut value or a 500.
    @Test func aNulThatReachesAStatementIs400() async throws {
        let start = {
            try await APITestServer.start(apiRoutes: { routes, pools in
                // In the API's group (/v1), so its error translation applies as to every API route.
                routes.get("/test/echo", .async { request, context in
                    let text = request.headers.first("x-text")!.replacingOccurrences(of: "NUL", with: "\u{0}")
                    let rows = try await pools.pool(for: context.loop).withConnection { try await $0.query("SELECT $1::text", [.text(text)]) }
                    return Response.text(rows[0].string(0) ?? "")
                })
            })
        }
        try await withAPIServer(start) { server in
            let fine = try await Curl.request("GET", server.baseURL + "/v1/test/echo", headers: ["X-Text": "erin"])
            #expect(fine.status == 200 && fine.body == "erin")
            let cut = try await Curl.request("GET", server.baseURL + "/v1/test/echo", headers: ["X-Text": "erinNULx"])
            #expect(cut.status == 400 && cut.problemType == "unstorable-text", "\(cut.status) \(cut.body)")
        }
    }
}
