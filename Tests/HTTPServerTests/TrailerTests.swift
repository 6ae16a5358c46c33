import HTTPCodec
import HTTPServer
import IOCore
import Testing

@Suite struct TrailerTests {
    static func status(_ code: StaticString, message: String = "ok") -> ResponseTrailers {
        var trailers = ResponseTrailers()
        trailers.add("grpc-status", .literal(code))
        trailers.add("grpc-message", .string(message))
        return trailers
    }

    static func routes(_ routes: inout RouterBuilder) {
        routes.get("/text", .immediate { _, _ in
            var response = Response.text("hello")
            response.trailers = Self.status("0")
            return response
        })
        routes.get("/empty", .immediate { _, _ in Response(trailers: Self.status("5", message: "not found")) })
        routes.get("/pooled", .immediate { _, context in
            Response(body: context.writeBody { $0.write("pooled body") }, trailers: Self.status("0"))
        })
        routes.get("/stream", .immediate { _, _ in
            Response(body: .stream(BodyStream { writer in
                try await writer.write("one,")
                try await writer.write("two")
                try await writer.setTrailers(Self.status("0", message: "two parts"))
            }), trailers: Self.status("2", message: "replaced"))
        })
        routes.get("/stream-default", .immediate { _, _ in
            Response(body: .stream(BodyStream { writer in try await writer.write("body") }), trailers: Self.status("13"))
        })
        routes.get("/unsafe", .immediate { _, _ in
            var trailers = ResponseTrailers()
            trailers.add("Content-Length", "99")
            trailers.add("X-Split", .string("a\r\nInjected: yes"))
            trailers.add("X-Fine", "yes")
            return Response(body: .literal("x"), trailers: trailers)
        })
    }

    @Test func aBodyWithTrailersIsSentChunkedAndKeepsTheConnection() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        // Pipelined: the second response must start right after the first's trailer section.
        try await client.send("GET /text HTTP/1.1\r\nHost: t\r\n\r\nGET /empty HTTP/1.1\r\nHost: t\r\n\r\n")
        let text = try await client.readResponse()
        #expect(text.status == 200)
        #expect(text.header("transfer-encoding") == "chunked")
        #expect(text.header("content-length") == nil)
        #expect(text.text == "hello")
        #expect(text.trailers.map { "\($0.0)=\($0.1)" } == ["grpc-status=0", "grpc-message=ok"])
        let empty = try await client.readResponse()
        #expect(empty.body.isEmpty)
        #expect(empty.trailers.map { "\($0.0)=\($0.1)" } == ["grpc-status=5", "grpc-message=not found"])
        try await server.stop()
    }

    @Test func aPooledBodyWithTrailersGoesBackToThePool() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET /pooled HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "pooled body")
        #expect(response.trailers.first?.1 == "0")
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }

    @Test func aStreamsProducerSetsTheTrailersAtItsEnd() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\nGET /stream-default HTTP/1.1\r\nHost: t\r\n\r\n")
        let set = try await client.readResponse()
        #expect(set.text == "one,two")
        #expect(set.trailers.map { "\($0.0)=\($0.1)" } == ["grpc-status=0", "grpc-message=two parts"])
        let kept = try await client.readResponse()
        #expect(kept.text == "body")
        #expect(kept.trailers.map { "\($0.0)=\($0.1)" } == ["grpc-status=13", "grpc-message=ok"])
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }

    @Test func http10AndHeadGetNoTrailers() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let old = try server.connect()
        try await old.send("GET /text HTTP/1.0\r\n\r\n")
        let response = try await old.readResponse()
        #expect(response.header("content-length") == "5")
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.text == "hello")

        let client = try server.connect()
        try await client.send("HEAD /text HTTP/1.1\r\nHost: t\r\n\r\nGET /empty HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try await client.readResponse(head: true)
        #expect(head.status == 200)
        // Nothing after the HEAD response's head: the next response follows straight away.
        let next = try await client.readResponse()
        #expect(next.trailers.first?.1 == "5")
        try await server.stop()
    }

    @Test func framingFieldsAndUnsafeValuesAreNotSentAsTrailers() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET /unsafe HTTP/1.1\r\nHost: t\r\n\r\nGET /empty HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "x")
        #expect(response.trailers.map { "\($0.0)=\($0.1)" } == ["x-fine=yes"])
        #expect(try await client.readResponse().trailers.first?.1 == "5")
        try await server.stop()
    }
}
