import Auth
import Foundation
import GroupBuyTesting
import Testing

/// A header the API reads once, sent twice, is refused with 400 `repeated-header` (a second
/// `Authorization` used to be ignored even when it was invalid).
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct RepeatedHeaderTests {
    /// curl with every header line given, repeats included, in order.
    static func send(_ method: String, _ url: String, lines: [String], body: String? = nil) async throws -> HTTPResult {
        var arguments = ["-s", "-i", "-X", method, "--max-time", "30", url]
        for line in lines { arguments += ["-H", line] }
        if let body { arguments += ["--data-binary", body] }
        return try Curl.parse(try await Curl.run(arguments))
    }

    @Test func eachRepeatedSingletonIsRefused() async throws {
        try await withAPIServer { server in
            let deal = try await server.createDeal()
            let dealID = try #require(deal["id"] as? Int)
            let buyer = try server.token(.buyer, user: "repeat-\(UUID())")
            let admin = try server.token(.admin)
            let json = "Content-Type: application/json"
            let cases: [(String, String, [String], String?, String)] = [
                ("GET", "/v1/orders", ["Authorization: Bearer \(buyer)", "Authorization: Bearer not-a-token"], nil, "authorization"),
                ("GET", "/v1/orders", ["Authorization: Bearer not-a-token", "authorization: Bearer \(buyer)"], nil, "authorization"),
                ("POST", "/v1/groups", ["Authorization: Bearer \(buyer)", json, "Content-Type: text/plain"], #"{"dealId":\#(dealID)}"#, "content-type"),
                ("POST", "/v1/groups", ["Authorization: Bearer \(buyer)", json, "Idempotency-Key: a", "IDEMPOTENCY-KEY: b"], #"{"dealId":\#(dealID)}"#, "idempotency-key"),
                ("PATCH", "/v1/admin/deals/\(dealID)", ["Authorization: Bearer \(admin)", json, #"If-Match: "v1""#, #"If-Match: "v2""#], #"{"title":"x"}"#, "if-match"),
                ("GET", "/v1/deals/\(dealID)", [#"If-None-Match: "v1""#, #"If-None-Match: "v2""#], nil, "if-none-match"),
                ("GET", "/v1/deals", ["X-Request-Id: one", "X-Request-Id: two"], nil, "x-request-id"),
            ]
            for (method, path, lines, body, name) in cases {
                let answer = try await Self.send(method, server.baseURL + path, lines: lines, body: body)
                #expect(answer.status == 400, "\(method) \(path) \(lines): \(answer.status) \(answer.body)")
                #expect(answer.headers["content-type"] == "application/problem+json")
                #expect(answer.problemType == "repeated-header")
                #expect((answer.json["detail"] as? String)?.lowercased().contains(name) == true, "\(answer.body)")
            }
            // Nothing happened: no group was started, the deal is unchanged.
            let orders = try await Curl.request("GET", server.baseURL + "/v1/orders", bearer: buyer)
            #expect((orders.json["items"] as? [Any])?.isEmpty == true)
            let read = try await Curl.request("GET", server.baseURL + "/v1/deals/\(dealID)")
            #expect(read.json["title"] as? String == deal["title"] as? String)
        }
    }

    @Test func oneOfEachAndRepeatedListHeadersAreFine() async throws {
        try await withAPIServer { server in
            let buyer = try server.token(.buyer, user: "once-\(UUID())")
            let once = try await Self.send(
                "GET", server.baseURL + "/v1/orders",
                lines: ["Authorization: Bearer \(buyer)", "X-Request-Id: once", "Accept: application/json", "Accept: */*", "Cache-Control: no-cache", "Cache-Control: max-age=0"]
            )
            #expect(once.status == 200, "\(once.body)")
        }
    }
}
