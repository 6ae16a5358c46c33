import HTTPCodec
import HTTPServer
import Testing

@Suite struct KeepAliveAndPipeliningTests {
    @Test func manyRequestsShareOneConnection() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        for index in 0..<50 {
            try await client.send("GET /query?n=\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "n=\(index)")
            #expect(response.header("connection") == nil)
        }
        try await server.stop()
    }

    @Test func pipelinedResponsesComeInRequestOrderEvenWhenTheFirstIsSlowest() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send(
            "GET /slow/150 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /query?second HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /slow/10 HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /query?fourth HTTP/1.1\r\nHost: t\r\n\r\n"
        )
        #expect(try await client.readResponse().text == "slept 150")
        #expect(try await client.readResponse().text == "second")
        #expect(try await client.readResponse().text == "slept 10")
        #expect(try await client.readResponse().text == "fourth")
        try await server.stop()
    }

    @Test func tenThousandRequestsOnOneConnectionLeaveNoBufferInUse() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        let batch = String(repeating: "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n", count: 100)
        for _ in 0..<100 {
            try await client.send(batch)
            for response in try await client.readResponses(100) {
                guard response.status == 200, response.text == "Hello, World!" else {
                    Issue.record("unexpected response \(response.status) \(response.text)")
                    return
                }
            }
        }
        // The connection is idle now (every response read): it must hold no buffer.
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }

    @Test func maxRequestsPerConnectionClosesAfterTheLimit() async throws {
        let server = try await TestServer.start(configure: { $0.maxRequestsPerConnection = 3 }, routes: Routes.standard)
        let client = try server.connect()
        for index in 1...3 {
            try await client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try await client.readResponse()
            #expect(response.status == 200)
            #expect((response.header("connection") == "close") == (index == 3))
        }
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }

    @Test func connectionCloseIsHonoured() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("connection") == "close")
        // The pipelined second request is not answered.
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }

    @Test func http10ClosesUnlessKeepAliveIsAsked() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let plain = try server.connect()
        try await plain.send("GET /plaintext HTTP/1.0\r\n\r\n")
        let first = try await plain.readResponse()
        #expect(first.status == 200)
        #expect(first.text == "Hello, World!")
        #expect(try await plain.isClosedByServer())

        let keepAlive = try server.connect()
        for _ in 0..<2 {
            try await keepAlive.send("GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            let response = try await keepAlive.readResponse()
            #expect(response.status == 200)
            #expect(response.header("connection")?.lowercased() == "keep-alive")
        }
        try await server.stop()
    }

    @Test func headGetsTheHeadersOfGetWithoutABody() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send("HEAD /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        let head = try await client.readResponse(head: true)
        #expect(head.status == 200)
        #expect(head.header("content-length") == "13")
        // The next response starts right after the head: no body bytes were sent.
        try await client.send("GET /query?after HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().text == "after")
        try await server.stop()
    }

    @Test func responsesCarryDateAndServerHeaders() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        let date = try #require(response.header("date"))
        #expect(date.hasSuffix(" GMT") && date.count == 29)
        #expect(response.header("content-type") == "text/plain; charset=utf-8")
        try await server.stop()
    }
}
