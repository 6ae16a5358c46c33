import HTTPCodec
import HTTPServer
import Testing

@Suite struct RequestBodyTests {
    @Test func contentLengthBodyIsDelivered() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world")
        let response = try await client.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "hello world")
        try await server.stop()
    }

    @Test func bodyArrivingInPiecesIsDelivered() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        let body = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.count)\r\n\r\n")
        for start in stride(from: 0, to: body.count, by: 7_000) {
            try await client.send(Array(body[start..<min(start + 7_000, body.count)]))
        }
        let response = try await client.readResponse()
        #expect(response.body == body)
        try await server.stop()
    }

    @Test func chunkedBodyIsDecoded() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send(
            "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n1;ext=1\r\n \r\n5\r\nworld\r\n0\r\nTrailer: x\r\n\r\n"
        )
        #expect(try await client.readResponse().text == "hello world")
        // The connection stays usable after the trailer.
        try await client.send("GET /query?next HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "next")
        try await server.stop()
    }

    @Test func expectContinueGetsAnInterimResponseBeforeTheBody() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        let interim = try await client.readResponse()
        #expect(interim.status == 100)
        try await client.send("data")
        let final = try await client.readResponse()
        #expect(final.status == 200)
        #expect(final.text == "data")
        try await server.stop()
    }

    @Test func expectContinueWithATooLargeBodyIsRefusedWithoutReadingIt() async throws {
        let server = try await TestServer.start(configure: { $0.limits.maxBodyBytes = 100 }, routes: Routes.standard)
        let client = try server.connect()
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 413)
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }
}
