import HTTPCodec
import HTTPServer
import IOCore
import Testing

@Suite struct StreamingAndShutdownTests {
    @Test func aStreamedBodyIsSentChunked() async throws {
        let server = try await TestServer.start { routes in
            routes.get("/stream", .immediate { _, _ in
                Response(body: .stream(BodyStream { writer in
                    for part in 0..<50 {
                        try await writer.write("part \(part);")
                    }
                }))
            })
        }
        let client = try server.connect()
        try await client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.header("transfer-encoding") == "chunked")
        #expect(response.text == (0..<50).map { "part \($0);" }.joined())
        // Keep-alive continues after the last chunk.
        try await client.send("GET /stream HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().body.count == response.body.count)
        #expect(try await server.buffersInUse() == 0)
        try await server.stop()
    }

    @Test func aStreamedBodyToHTTP10EndsWithTheConnection() async throws {
        let server = try await TestServer.start { routes in
            routes.get("/stream", .immediate { _, _ in
                Response(body: .stream(BodyStream { writer in
                    try await writer.write("one,")
                    try await writer.write("two")
                }))
            })
        }
        let client = try server.connect()
        try await client.send("GET /stream HTTP/1.0\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.text == "one,two")
        try await server.stop()
    }

    @Test func shutdownFinishesInFlightRequestsClosesIdleOnesAndStopsAccepting() async throws {
        let entered = Signal()
        let release = Signal()
        let server = try await TestServer.start(configure: { $0.shutdownGracePeriod = .seconds(10) }) { routes in
            Routes.standard(&routes)
            routes.get("/in-flight", .async { _, _ in
                entered.mark()
                try await release.waitUntilMarked()
                return .text("finished")
            })
        }
        let idle = try server.connect()
        try await idle.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await idle.readResponse().status == 200)

        let busy = try server.connect()
        try await busy.send("GET /in-flight HTTP/1.1\r\nHost: t\r\n\r\n")
        try await entered.waitUntilMarked()
        let shutdown = Task { try await server.server.shutdown() }
        // Draining has begun once new connections are refused (the listener closes in the
        // same loop turn that marks every connection as draining).
        let refusedBy = ContinuousClock.now.advanced(by: .seconds(60))
        while (try? server.connect()) != nil && ContinuousClock.now < refusedBy {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(throws: ClientError.self) { try server.connect() }
        #expect(try await idle.isClosedByServer())
        // The in-flight request still completes, and is the connection's last.
        release.mark()
        let response = try await busy.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "finished")
        #expect(response.header("connection") == "close")
        #expect(try await busy.isClosedByServer())
        try await shutdown.value
        server.group.shutdown()
    }

    @Test func shutdownClosesConnectionsStillBusyAfterTheGracePeriod() async throws {
        let entered = Signal()
        let server = try await TestServer.start(configure: { $0.shutdownGracePeriod = .milliseconds(200) }) { routes in
            routes.get("/forever", .async { _, _ in
                entered.mark()
                try await Task.sleep(for: .seconds(60))
                return .text("never")
            })
        }
        let busy = try server.connect()
        try await busy.send("GET /forever HTTP/1.1\r\nHost: t\r\n\r\n")
        try await entered.waitUntilMarked()
        try await server.server.shutdown()
        #expect(try await busy.isClosedByServer())
        server.group.shutdown()
    }
}
