import CLinux
import Foundation
import GroupBuyTesting
import HTTPCodec
import HTTPServer
import Logging
import Observability
import Testing

#if canImport(Glibc)
import Glibc
#endif

struct Failure: Error {
    let secret = "database password is hunter2"
}

@Suite struct RoutingAndMiddlewareTests {
    static func chain(_ routes: inout RouterBuilder, sink: LogSink? = nil) {
        routes.add(RequestIDMiddleware(loopCount: 1, instance: "test"))
        if let sink { routes.add(AccessLogMiddleware(sink: sink)) }
        routes.add(MetricsMiddleware())
        routes.add(ErrorMiddleware(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        routes.get("/v1/deals/{id}", .immediate { request, _ in .text("deal \(request.pathParameters["id"]!.string)") })
        routes.put("/v1/deals/{id}", .immediate { _, _ in Response(status: .noContent) })
        routes.get("/v1/deals/{id}/groups", .immediate { request, _ in .text("groups of \(request.pathParameters[0].string)") })
        routes.get("/v1/deals/featured", .immediate { _, _ in .text("featured") })
        routes.get("/boom", .immediate { _, _ in throw Failure() })
        routes.get("/async-boom", .async { _, _ in
            await Task.yield()
            throw Failure()
        })
        routes.get("/conflict", .immediate { _, _ in
            throw HTTPError(.conflict, type: "https://groupbuy.example/problems/sold-out", title: "Sold out", detail: "no stock left",
                            extensions: [("available", .int(0))])
        })
    }

    @Test(arguments: [
        ("/v1/deals/42", 200, "deal 42"),
        ("/v1/deals/featured", 200, "featured"),
        ("/v1/deals/7/groups", 200, "groups of 7"),
    ])
    func staticAndParameterisedPathsRoute(path: String, status: Int, body: String) async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == status)
        #expect(response.text == body)
        try await server.stop()
    }

    @Test func unknownPathIs404ProblemJSON() async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("GET /v1/nothing HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 404)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(response.json?["title"] as? String == "Not Found")
        try await server.stop()
    }

    @Test func wrongMethodIs405WithAllow() async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("DELETE /v1/deals/3 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 405)
        let allow = try #require(response.header("allow"))
        #expect(Set(allow.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) == ["GET", "HEAD", "PUT"])
        try await server.stop()
    }

    @Test(arguments: ["/boom", "/async-boom"])
    func aThrownErrorBecomesA500ThatLeaksNothing(path: String) async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("GET \(path) HTTP/1.1\r\nHost: t\r\nX-Request-Id: req-1\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 500)
        #expect(response.header("content-type") == "application/problem+json")
        #expect(!response.text.contains("hunter2"))
        #expect(!response.text.contains("Failure"))
        let json = try #require(response.json)
        #expect(json["title"] as? String == "Internal Server Error")
        #expect(json["requestId"] as? String == "req-1")
        // The connection survives a handler error.
        try await client.send("GET /v1/deals/1 HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().status == 200)
        try await server.stop()
    }

    @Test func anHTTPErrorIsRenderedWithItsTypeAndExtensions() async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("GET /conflict HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 409)
        let json = try #require(response.json)
        #expect(json["type"] as? String == "https://groupbuy.example/problems/sold-out")
        #expect(json["detail"] as? String == "no stock left")
        #expect(json["available"] as? Int == 0)
        try await server.stop()
    }

    @Test func requestIDIsEchoedWhenValidAndGeneratedOtherwise() async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        try await client.send("GET /v1/deals/1 HTTP/1.1\r\nHost: t\r\nX-Request-Id: abc-123\r\n\r\n")
        #expect(try await client.readResponse().header("x-request-id") == "abc-123")

        var generated: Set<String> = []
        for incoming in ["", "X-Request-Id: bad id with spaces\r\n", "X-Request-Id: \(String(repeating: "x", count: 65))\r\n"] {
            try await client.send("GET /v1/deals/1 HTTP/1.1\r\nHost: t\r\n\(incoming)\r\n")
            let id = try #require(try await client.readResponse().header("x-request-id"))
            #expect(id.hasPrefix("test-0-"))
            generated.insert(id)
        }
        #expect(generated.count == 3)
        try await server.stop()
    }

    @Test func metricsCountRequestsByRouteMethodAndStatus() async throws {
        let server = try await TestServer.start { Self.chain(&$0) }
        let client = try server.connect()
        for request in ["GET /v1/deals/1", "GET /v1/deals/2", "PUT /v1/deals/3", "GET /boom", "GET /nope"] {
            try await client.send("\(request) HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n")
            _ = try await client.readResponse()
        }
        var text = ""
        server.server.metrics.render(into: &text)
        #expect(text.contains(#"http_requests_total{route="/v1/deals/{id}",method="GET",status="200"} 2"#))
        #expect(text.contains(#"http_requests_total{route="/v1/deals/{id}",method="PUT",status="204"} 1"#))
        #expect(text.contains(#"http_requests_total{route="/boom",method="GET",status="500"} 1"#))
        #expect(text.contains(#"http_requests_total{route="(none)",method="(any)",status="404"} 1"#))
        #expect(text.contains(#"http_request_duration_seconds_count{route="/v1/deals/{id}",method="GET"} 2"#))
        #expect(text.contains(#"http_request_duration_seconds_count{route="/v1/deals/{id}",method="PUT"} 1"#))
        // GET and PUT of one path are two series: no series appears twice in the exposition.
        let exposition = MetricsExposition(text)
        #expect(exposition.malformed.isEmpty, "\(exposition.malformed)")
        #expect(exposition.duplicateSeries.isEmpty, "\(exposition.duplicateSeries)")
        try await server.stop()
    }

    @Test func accessLogWritesOneJSONLinePerRequest() async throws {
        var pipeEnds: [Int32] = [0, 0]
        #expect(gb_pipe_cloexec(&pipeEnds) == 0)  // close-on-exec: a process another test spawns must not hold the write end
        let sink = LogSink(loopCount: 1, output: pipeEnds[1])
        sink.start()
        let server = try await TestServer.start { Self.chain(&$0, sink: sink) }
        let client = try server.connect()
        try await client.send("GET /v1/deals/9?x=1 HTTP/1.1\r\nHost: t\r\nX-Request-Id: log-1\r\n\r\n")
        _ = try await client.readResponse()
        try await client.send("GET /boom HTTP/1.1\r\nHost: t\r\nX-Request-Id: log-2\r\n\r\n")
        _ = try await client.readResponse()
        try await server.stop()
        #expect(sink.flush())
        sink.shutdown()
        close(pipeEnds[1])
        let output = FileHandle(fileDescriptor: pipeEnds[0], closeOnDealloc: true).readDataToEndOfFile()
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["method"] as? String == "GET")
        #expect(first["path"] as? String == "/v1/deals/9")
        #expect(first["route"] as? String == "/v1/deals/{id}")
        #expect(first["status"] as? Int == 200)
        #expect(first["request_id"] as? String == "log-1")
        let second = try #require(try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        #expect(second["status"] as? Int == 500)
    }
}
