import HTTPCodec
import HTTPServer
import Logging
import Testing

/// Appends its name to the `X-Trail` response header on the way out, so a response shows
/// which middleware it passed through, innermost first.
private struct Trail: Middleware {
    let name: StaticString

    func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .success(var response) = outcome else { return }
        response.headers.add("X-Trail", .literal(name))
        outcome = .success(response)
    }
}

/// Turns any error that is not an HTTPError into a 409, as the API's DomainErrorMiddleware does.
private struct ConflictTranslation: Middleware {
    func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        guard case .failure(let error) = outcome, !(error is HTTPError) else { return }
        outcome = .failure(HTTPError(.conflict, detail: "translated"))
    }
}

private struct Refusal: Error {}

extension TestResponse {
    /// Every X-Trail value, in the order the response carries them.
    fileprivate var trail: [String] { headers.filter { $0.0 == "x-trail" }.map(\.1) }
}

@Suite struct RouteGroupTests {
    static func routes(_ routes: inout RouterBuilder) {
        routes.add(ErrorMiddleware(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        routes.add(Trail(name: "router"))
        routes.get("/outside", .immediate { _, _ in .text("outside") })
        routes.get("/outside/boom", .immediate { _, _ in throw Refusal() })
        routes.group("/v1") { v1 in
            v1.get("/inside", .immediate { _, _ in .text("inside") })
            v1.get("/boom", .immediate { _, _ in throw Refusal() })
            v1.get("/async-boom", .async { _, _ in
                await Task.yield()
                throw Refusal()
            })
            v1.group("/admin") { admin in
                admin.get("/{id}", .immediate { request, _ in .text("admin \(request.pathParameters["id"]!.string)") })
                admin.add(Trail(name: "admin"))
            }
            // Added after the routes: group middleware applies to all of them all the same.
            v1.add(ConflictTranslation())
            v1.add(Trail(name: "v1"))
        }
    }

    private func get(_ path: String) async throws -> TestResponse {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        try await server.stop()
        return response
    }

    @Test func groupMiddlewareRunsInsideTheRoutersAndOnlyForItsRoutes() async throws {
        let inside = try await get("/v1/inside")
        #expect(inside.status == 200)
        #expect(inside.text == "inside")
        #expect(inside.trail == ["v1", "router"])

        let outside = try await get("/outside")
        #expect(outside.text == "outside")
        #expect(outside.trail == ["router"])
    }

    @Test func nestedGroupsJoinPrefixesAndWrapOuterMiddlewareAroundInner() async throws {
        let response = try await get("/v1/admin/7")
        #expect(response.text == "admin 7")
        #expect(response.trail == ["admin", "v1", "router"])
    }

    @Test(arguments: ["/v1/boom", "/v1/async-boom"])
    func aGroupsErrorMiddlewareTranslatesForTheRoutersToRender(path: String) async throws {
        let response = try await get(path)
        #expect(response.status == 409)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json?["detail"] as? String == "translated")
    }

    @Test func routesOutsideTheGroupKeepTheirErrors() async throws {
        let response = try await get("/outside/boom")
        #expect(response.status == 500)
    }

    @Test func aPathUnderThePrefixWithNoRouteSeesOnlyTheRoutersMiddleware() async throws {
        let response = try await get("/v1/nothing")
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/problem+json")
    }

    @Test func routePatternsAreTheFullPaths() throws {
        var builder = RouterBuilder()
        Self.routes(&builder)
        let router = try builder.build()
        #expect(router.routes.map(\.pattern) == ["/outside", "/outside/boom", "/v1/inside", "/v1/boom", "/v1/async-boom", "/v1/admin/{id}"])
    }

    @Test func malformedPrefixesAndRelativePatternsAreReported() {
        var builder = RouterBuilder()
        builder.group("v1/") { v1 in
            v1.get("/a", .immediate { _, _ in .text("a") })
        }
        builder.group("/v2") { v2 in
            v2.get("b", .immediate { _, _ in .text("b") })
        }
        #expect {
            try builder.build()
        } throws: { error in
            let problems = (error as? RouterError)?.problems ?? []
            return problems.count == 2
                && problems[0].contains("group prefix 'v1/'")
                && problems[1].contains("route 'b' in group '/v2'")
        }
    }

    @Test func aRouteRepeatedThroughAGroupIsReported() {
        var builder = RouterBuilder()
        builder.get("/v1/a", .immediate { _, _ in .text("a") })
        builder.group("/v1") { v1 in
            v1.get("/a", .immediate { _, _ in .text("again") })
        }
        #expect(throws: RouterError.self) { try builder.build() }
    }
}
