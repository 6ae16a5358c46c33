import Auth
import Foundation
import GroupBuyTesting
import Testing

/// 401 without a valid token, 403 with a valid token of too small a role.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct AuthAPITests {
    @Test func adminRoutesTellMissingAndInvalidTokensFromTooSmallARole() async throws {
        try await withAPIServer { server in
            let url = server.baseURL + "/v1/admin/deals"
            let none = try await LiveHTTP.request("POST", url, body: dealBody())
            #expect(none.status == 401)
            #expect(none.headers["www-authenticate"] == #"Bearer realm="groupbuy""#)
            let buyer = try await LiveHTTP.request("POST", url, body: dealBody(), bearer: try server.token(.buyer))
            #expect(buyer.status == 403)
            let admin = try await LiveHTTP.request("POST", url, body: dealBody(), bearer: try server.token(.admin))
            #expect(admin.status == 201)
        }
    }

    @Test func everyTamperedTokenIs401() async throws {
        try await withAPIServer { server in
            let good = try server.token(.admin)
            let parts = good.split(separator: ".").map(String.init)
            let otherRing = try JWTKeyRing(parsing: ["test:a-completely-different-secret-32-bytes!!"])
            let otherKey = try JWTSigner(keyRing: otherRing, issuer: "groupbuy", audience: "groupbuy-api").issue(
                subject: "mallory", role: .admin, ttl: .seconds(600), now: Date()
            )
            let wrongAudience = try JWTSigner(keyRing: APITestServer.keyRing, issuer: "groupbuy", audience: "someone-else").issue(
                subject: "x", role: .admin, ttl: .seconds(600), now: Date()
            )
            let expired = try server.signer.issue(subject: "x", role: .admin, ttl: .seconds(1), now: Date().addingTimeInterval(-3_600))
            func base64url(_ text: String) -> String {
                Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                    .replacingOccurrences(of: "=", with: "")
            }
            let payloadJSON = String(decoding: Data(base64Encoded: parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/").padding(toLength: (parts[1].count + 3) / 4 * 4, withPad: "=", startingAt: 0))!, as: UTF8.self)
            let tampered: [(String, String)] = [
                ("payload changed", parts[0] + "." + base64url(payloadJSON.replacingOccurrences(of: "admin", with: "admin ")) + "." + parts[2]),
                ("signature changed", parts[0] + "." + parts[1] + "." + String(parts[2].reversed())),
                ("signature cut", parts[0] + "." + parts[1] + "." + parts[2].dropLast(4)),
                ("alg none", base64url(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."),
                ("alg HS512", base64url(#"{"alg":"HS512","typ":"JWT","kid":"test"}"#) + "." + parts[1] + "." + parts[2]),
                ("two parts", parts[0] + "." + parts[1]),
                ("another key", otherKey),
                ("wrong audience", wrongAudience),
                ("expired", expired),
                ("garbage", "not-a-token"),
            ]
            for (name, token) in tampered {
                let result = try await LiveHTTP.request("POST", server.baseURL + "/v1/admin/deals", body: dealBody(), bearer: token)
                #expect(result.status == 401, "\(name)")
                #expect(result.headers["www-authenticate"]?.contains("invalid_token") == true, "\(name)")
            }
            // A bad token on a public route is refused too, never read as anonymous.
            let publicRead = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals", bearer: "not-a-token")
            #expect(publicRead.status == 401)
            let basic = try await LiveHTTP.request("GET", server.baseURL + "/v1/deals", headers: ["Authorization": "Basic YWxhZGRpbjpvcGVuc2VzYW1l"])
            #expect(basic.status == 401)
        }
    }
}
