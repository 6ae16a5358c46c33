import HTTPServer
import Testing

/// Response fields too large for a pooled buffer go out whole from an unpooled one.
@Suite struct OversizedFieldsTests {
    static let large = String(repeating: "t", count: 200_000)

    static func routes(_ routes: inout RouterBuilder) {
        routes.get("/large-header", .immediate { _, _ in
            var response = Response.text("head")
            response.headers.add("X-Large", .string(Self.large))
            response.headers.add("X-After", "after")
            return response
        })
        routes.get("/large-trailer", .immediate { _, _ in
            var trailers = ResponseTrailers()
            trailers.add("X-Large", .string(Self.large))
            trailers.add("X-After", "after")
            return Response(body: .literal("trailer"), trailers: trailers)
        })
    }

    @Test func aHeadLargerThanAPooledBufferIsSentWhole() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET /large-header HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "head")
        #expect(response.header("x-large") == Self.large)
        #expect(response.header("x-after") == "after")
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }

    @Test func trailersLargerThanAPooledBufferAreSentWhole() async throws {
        let server = try await TestServer.start { Self.routes(&$0) }
        let client = try server.connect()
        try await client.send("GET /large-trailer HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.text == "trailer")
        #expect(response.trailers.map(\.0) == ["x-large", "x-after"])
        #expect(response.trailers.first?.1 == Self.large)
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }
}
