import Foundation
import HTTPCodec
import HTTPServer
import Testing

@Suite struct TimeoutTests {
    @Test func slowlorisIsCutOffByTheHeaderTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.headerTimeout = .milliseconds(400) }, routes: Routes.standard)
        let client = try server.connect()
        try await client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        // One byte every 50 ms would need 10 s for 200 bytes; the server must answer long before.
        let sender = Thread {
            for _ in 0..<200 {
                guard (try? client.sendBlocking("a")) != nil else { return }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
        sender.start()
        let response = try await client.readResponse()
        #expect(response.status == 408)
        #expect(try await client.isClosedByServer())
        #expect(server.server.metrics.connectionsTimedOut == 1)
        try await server.stop()
    }

    @Test func aConnectionThatSendsNothingIsClosedByTheHeaderTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.headerTimeout = .milliseconds(200) }, routes: Routes.standard)
        let client = try server.connect()
        // Nothing was asked, so nothing is answered: just closed.
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }

    @Test func aStalledBodyIsCutOffByTheBodyTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.bodyTimeout = .milliseconds(300) }, routes: Routes.standard)
        let client = try server.connect()
        try await client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nab")
        let response = try await client.readResponse()
        #expect(response.status == 408)
        #expect(response.json?["detail"] as? String == "request body not received in time")
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }

    @Test func anIdleKeepAliveConnectionIsClosedByTheIdleTimeout() async throws {
        let server = try await TestServer.start(configure: { $0.idleTimeout = .milliseconds(300) }, routes: Routes.standard)
        let client = try server.connect()
        try await client.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await client.readResponse().status == 200)
        #expect(try await client.isClosedByServer())
        #expect(try await server.openConnections() == 0)
        try await server.stop()
    }

    @Test func aClientThatStopsReadingIsCutOffByTheWriteTimeout() async throws {
        let size = 64 * 1024 * 1024
        let server = try await TestServer.start(configure: { $0.writeTimeout = .milliseconds(300) }) { routes in
            routes.get("/big", .immediate { _, _ in
                Response(body: .bytes([UInt8](repeating: 0x61, count: size)))
            })
        }
        let client = try server.connect()
        client.setReceiveBuffer(bytes: 4096)
        try await client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n")
        // Do not read: the server's writes block, then the write timeout closes the connection.
        let deadline = Date().addingTimeInterval(10)
        while server.server.metrics.connectionsTimedOut == 0 && Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(server.server.metrics.connectionsTimedOut == 1)
        // The server let go of the connection. (Reading what the kernel still holds would take
        // long: it trickles through the 4 KiB window the client advertised.)
        #expect(try await server.openConnections() == 0)
        try await server.stop()
    }

    @Test func aHandlerPastItsDeadlineGets503AndIsCancelled() async throws {
        let cancelled = Signal()
        let server = try await TestServer.start(configure: { $0.requestTimeout = .milliseconds(200) }) { routes in
            routes.get("/stuck", .async { _, context in
                #expect(context.remaining <= .milliseconds(200))
                do {
                    try await Task.sleep(for: .seconds(30))
                } catch {
                    cancelled.mark()
                    throw error
                }
                return .text("too late")
            })
        }
        let client = try server.connect()
        try await client.send("GET /stuck HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try await client.readResponse()
        #expect(response.status == 503)
        #expect(response.json?["detail"] as? String == "request deadline exceeded")
        #expect(try await client.isClosedByServer())
        try await cancelled.waitUntilMarked()
        try await server.stop()
    }
}
