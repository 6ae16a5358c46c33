import API
import Auth
import Foundation
import GroupBuyTesting
import HTTPServer
import Testing

/// CORS by the Fetch standard, over curl against the API: preflights answered for allowed
/// origins and refused for others, the answers (errors too) carrying the headers a browser
/// needs, `Vary: Origin` where the answer depends on the origin, credentials only with listed
/// origins, and nothing outside the API's paths.
@Suite(.enabled(if: testDatabaseURL != nil, "needs GROUPBUY_TEST_DATABASE_URL (scripts/test.sh sets it)"))
struct CORSTests {
    static let shop = "https://shop.example"

    static func configuration(_ origins: [String], credentials: Bool = false) -> CORSMiddleware.Configuration {
        var configuration = CORSMiddleware.Configuration()
        configuration.allowedOrigins = origins
        configuration.allowCredentials = credentials
        configuration.maxAgeSeconds = 300
        configuration.allowedMethods = GroupBuyAPI.corsMethods
        configuration.allowedHeaders = GroupBuyAPI.corsRequestHeaders
        configuration.exposedHeaders = GroupBuyAPI.corsExposedHeaders
        configuration.pathPrefix = GroupBuyAPI.pathPrefix
        return configuration
    }

    static func preflight(_ url: String, origin: String, method: String = "POST") async throws -> HTTPResult {
        try await Curl.request(
            "OPTIONS", url, headers: ["Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": "authorization, content-type"]
        )
    }

    @Test func listedOriginsGetPreflightsAndHeadersOnEveryAnswer() async throws {
        try await withAPIServer({ try await APITestServer.start(cors: Self.configuration([Self.shop, "http://localhost:5173"])) }) { server in
            let preflight = try await Self.preflight(server.baseURL + "/v1/groups", origin: Self.shop)
            #expect(preflight.status == 204)
            #expect(preflight.headers["access-control-allow-origin"] == Self.shop)
            #expect(preflight.headers["access-control-allow-methods"] == "GET, HEAD, POST, PATCH")
            #expect(preflight.headers["access-control-allow-headers"] == "Authorization, Content-Type, Idempotency-Key, If-Match, If-None-Match, X-Request-Id")
            #expect(preflight.headers["access-control-max-age"] == "300")
            #expect(preflight.headers["vary"] == "Origin")
            #expect(preflight.headers["access-control-allow-credentials"] == nil)

            let other = try await Self.preflight(server.baseURL + "/v1/groups", origin: "http://localhost:5173")
            #expect(other.status == 204 && other.headers["access-control-allow-origin"] == "http://localhost:5173")

            // An answer and an error answer both carry what a script needs to read them.
            let list = try await Curl.request("GET", server.baseURL + "/v1/deals?limit=1", headers: ["Origin": Self.shop])
            #expect(list.status == 200 && list.headers["access-control-allow-origin"] == Self.shop)
            #expect(list.headers["access-control-expose-headers"] == "ETag, Location, Retry-After, X-Request-Id")
            #expect(list.headers["vary"] == "Origin")
            let refused = try await Curl.request("POST", server.baseURL + "/v1/groups", headers: ["Origin": Self.shop], body: "{}")
            #expect(refused.status == 401 && refused.headers["content-type"] == "application/problem+json")
            #expect(refused.headers["access-control-allow-origin"] == Self.shop)

            // Without an Origin, or from another one: no permission, but still Vary, so a cache
            // never hands one origin's answer to another.
            let plain = try await Curl.request("GET", server.baseURL + "/v1/deals?limit=1")
            #expect(plain.headers["access-control-allow-origin"] == nil && plain.headers["vary"] == "Origin")
            let evil = try await Curl.request("GET", server.baseURL + "/v1/deals?limit=1", headers: ["Origin": "https://evil.example"])
            #expect(evil.status == 200 && evil.headers["access-control-allow-origin"] == nil && evil.headers["vary"] == "Origin")
        }
    }

    @Test(arguments: ["https://evil.example", "https://shop.example.evil.example", "https://shop.example:443", "http://shop.example", "https://SHOP.example", "null"])
    func otherOriginsArePreflightRefused(_ origin: String) async throws {
        try await withAPIServer({ try await APITestServer.start(cors: Self.configuration([Self.shop])) }) { server in
            let preflight = try await Self.preflight(server.baseURL + "/v1/admin/deals", origin: origin)
            #expect(preflight.status == 403, "\(origin)")
            #expect(preflight.headers["content-type"] == "application/problem+json")
            #expect(preflight.headers["access-control-allow-origin"] == nil && preflight.headers["access-control-allow-methods"] == nil)
            #expect(preflight.headers["vary"] == "Origin")
        }
    }

    @Test func credentialsAreAllowedOnlyForListedOrigins() async throws {
        try await withAPIServer({ try await APITestServer.start(cors: Self.configuration([Self.shop], credentials: true)) }) { server in
            let preflight = try await Self.preflight(server.baseURL + "/v1/orders", origin: Self.shop, method: "GET")
            #expect(preflight.status == 204 && preflight.headers["access-control-allow-credentials"] == "true")
            #expect(preflight.headers["access-control-allow-origin"] == Self.shop)
            let orders = try await Curl.request("GET", server.baseURL + "/v1/orders", headers: ["Origin": Self.shop], bearer: try server.token(.buyer))
            #expect(orders.status == 200 && orders.headers["access-control-allow-credentials"] == "true")
            let evil = try await Curl.request("GET", server.baseURL + "/v1/deals", headers: ["Origin": "https://evil.example"])
            #expect(evil.headers["access-control-allow-credentials"] == nil && evil.headers["access-control-allow-origin"] == nil)
        }
        #expect(Self.configuration(["*"], credentials: true).problems() == [
            "allow_credentials needs allowed_origins to list origins: browsers refuse credentials with *"
        ])
    }

    @Test func anyOriginIsAStarOnEveryAnswerWithoutVary() async throws {
        try await withAPIServer({ try await APITestServer.start(cors: Self.configuration(["*"])) }) { server in
            let preflight = try await Self.preflight(server.baseURL + "/v1/groups", origin: "https://anyone.example")
            #expect(preflight.status == 204 && preflight.headers["access-control-allow-origin"] == "*" && preflight.headers["vary"] == nil)
            for origin in [nil, "https://anyone.example"] {
                let list = try await Curl.request("GET", server.baseURL + "/v1/deals?limit=1", headers: origin.map { ["Origin": $0] } ?? [:])
                #expect(list.headers["access-control-allow-origin"] == "*" && list.headers["vary"] == nil)
                #expect(list.headers["access-control-expose-headers"] == "ETag, Location, Retry-After, X-Request-Id")
            }
        }
    }

    @Test func onlyTheAPIsPathsAndRealPreflightsAreCORS() async throws {
        let start = {
            try await APITestServer.start(cors: Self.configuration([Self.shop]), extraRoutes: { routes, _ in
                routes.get("/plaintext", .immediate { _, _ in .text("Hello, World!") })
            })
        }
        try await withAPIServer(start) { server in
            let outside = try await Curl.request("GET", server.baseURL + "/plaintext", headers: ["Origin": Self.shop])
            #expect(outside.status == 200 && outside.headers["access-control-allow-origin"] == nil && outside.headers["vary"] == nil)
            #expect(try await Self.preflight(server.baseURL + "/plaintext", origin: Self.shop).status == 405)
            // OPTIONS without Access-Control-Request-Method is no preflight: the route's own answer.
            let options = try await Curl.request("OPTIONS", server.baseURL + "/v1/deals", headers: ["Origin": Self.shop])
            #expect(options.status == 405 && options.headers["allow"] == "GET, HEAD")
        }
    }

    @Test(arguments: [
        (["https://shop.example/"], "allowed_origins"), (["https://Shop.example"], "allowed_origins"), (["shop.example"], "allowed_origins"),
        (["ftp://shop.example"], "allowed_origins"), (["*", "https://shop.example"], "allowed_origins"),
    ])
    func originsThatBrowsersNeverSendAreRefusedInTheSettings(_ origins: [String], key: String) {
        let problems = Self.configuration(origins).problems()
        #expect(problems.count == 1 && problems[0].hasPrefix(key), "\(problems)")
    }
}
