import GroupBuyTesting
import HTTPClient
import HTTPCodec
import HTTPServer
import IOCore
import Testing

@Suite struct HTTPClientTests {
    static func routes(_ routes: inout RouterBuilder) {
        routes.get("/hello", .immediate { _, _ in .text("Hello") })
        routes.post("/echo", .immediate { request, _ in
            var headers = ResponseHeaders(contentType: "application/octet-stream")
            headers.add("X-Echo-Header", .string(request.headers.first("x-test") ?? "-"))
            return Response(status: .ok, headers: headers, body: .bytes(request.body.bytes))
        })
        routes.get("/status/{code}", .immediate { request, _ in
            Response(status: HTTPStatus(code: request.pathParameters["code"]?.decimalValue ?? 500), body: .empty)
        })
        routes.get("/stream", .immediate { _, _ in
            Response(status: .ok, headers: ResponseHeaders(contentType: "text/plain"), body: .stream(BodyStream { writer in
                for part in ["one ", "two ", "three"] { try await writer.write(Array(part.utf8)) }
            }))
        })
    }

    @Test func getsAResponseAndReusesTheConnection() async throws {
        let server = try await LocalServer.start(routes: Self.routes)
        let harness = try ClientHarness()
        for _ in 0..<5 {
            let response = try await harness.get("/hello", port: server.port)
            #expect(response.status == 200)
            #expect(response.text == "Hello")
            #expect(response.header("content-type")?.hasPrefix("text/plain") == true)
        }
        #expect(try await harness.connectionsOpened() == 1)
        #expect(try await server.openConnections() == 1)
        await harness.shutdown()
        try await server.stop()
    }

    @Test(arguments: [0, 5, 40_000, 300_000])
    func sendsBodiesAndReadsThemBack(size: Int) async throws {
        let server = try await LocalServer.start(routes: Self.routes)
        let harness = try ClientHarness()
        let body = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let request = HTTPClientRequest(method: .post, target: "/echo", headers: [("X-Test", "yes")], body: body)
        let response = try await harness.send(request, port: server.port)
        #expect(response.status == 200)
        #expect(response.body == body)
        #expect(response.header("x-echo-header") == "yes")
        await harness.shutdown()
        try await server.stop()
    }

    @Test func readsChunkedStreamsAndBodilessStatuses() async throws {
        let server = try await LocalServer.start(routes: Self.routes)
        let harness = try ClientHarness()
        let streamed = try await harness.get("/stream", port: server.port)
        #expect(streamed.text == "one two three")
        #expect(streamed.header("transfer-encoding") == "chunked")
        let noContent = try await harness.get("/status/204", port: server.port)
        #expect(noContent.status == 204 && noContent.body.isEmpty)
        let head = try await harness.send(HTTPClientRequest(method: .head, target: "/hello"), port: server.port)
        #expect(head.status == 200 && head.body.isEmpty)
        let after = try await harness.get("/hello", port: server.port)
        #expect(after.text == "Hello", "the connection is still in step after HEAD and 204")
        #expect(try await harness.connectionsOpened() == 1)
        await harness.shutdown()
        try await server.stop()
    }

    @Test func concurrentRequestsOnOneLoopUseSeveralConnectionsAndKeepAFew() async throws {
        let server = try await LocalServer.start(routes: Self.routes)
        let harness = try ClientHarness { $0.maxIdleConnectionsPerOrigin = 4 }
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<40 {
                group.addTask { try await harness.get("/hello", port: server.port).status }
            }
            for try await status in group { #expect(status == 200) }
        }
        #expect(try await harness.idleConnections() <= 4)
        #expect(try await harness.connectionsOpened() >= 1)
        await harness.shutdown()
        try await server.stop()
    }

    @Test func aRefusedConnectionIsATypedError() async throws {
        // A port that was just free: bind, read the port, close.
        let probe = try RawServer { _, _ in }
        let port = probe.port
        probe.stop()
        let harness = try ClientHarness()
        await #expect {
            _ = try await harness.get("/", port: port)
        } throws: { error in
            guard case .connectionRefused = error as? HTTPClientError else { return false }
            return true
        }
        await harness.shutdown()
    }

    @Test func aStalledServerTimesOutAndTheConnectionIsNotReused() async throws {
        let server = try RawServer { peer, index in
            try peer.readRequest()
            if index == 0 {
                peer.waitForClose()  // never answers
            } else {
                peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                peer.waitForClose()
            }
        }
        let harness = try ClientHarness()
        await #expect(throws: HTTPClientError.timeout) {
            _ = try await harness.get("/", port: server.port, timeout: .milliseconds(200))
        }
        let response = try await harness.get("/", port: server.port)
        #expect(response.text == "ok")
        #expect(server.accepted == 2, "the timed-out connection was closed, a new one served the next request")
        await harness.shutdown()
        server.stop()
    }

    @Test func aResponseCutShortIsConnectionClosed() async throws {
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part")
        }
        let harness = try ClientHarness()
        await #expect(throws: HTTPClientError.connectionClosed) {
            _ = try await harness.get("/", port: server.port)
        }
        await harness.shutdown()
        server.stop()
    }

    @Test func aResetIsConnectionReset() async throws {
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            peer.reset()
        }
        let harness = try ClientHarness()
        await #expect(throws: HTTPClientError.connectionReset) {
            _ = try await harness.get("/", port: server.port)
        }
        await harness.shutdown()
        server.stop()
    }

    @Test func readsHandWrittenFraming() async throws {
        let server = try RawServer { peer, index in
            try peer.readRequest()
            switch index {
            case 0:
                peer.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                peer.write("5\r\nhello\r\n")
                peer.write("6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n")
                // Keep-alive: the next request comes on this connection.
                try peer.readRequest()
                peer.write("HTTP/1.0 200 OK\r\nX-Mode: until-close\r\n\r\nall of this until the end")
            default:
                peer.write("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
            }
        }
        let harness = try ClientHarness()
        let chunked = try await harness.get("/", port: server.port)
        #expect(chunked.status == 200)
        #expect(chunked.text == "hello world")
        let untilClose = try await harness.get("/", port: server.port)
        #expect(untilClose.text == "all of this until the end")
        #expect(server.accepted == 1)
        #expect(try await harness.idleConnections() == 0, "a body read until close leaves nothing to reuse")
        await harness.shutdown()
        server.stop()
    }

    @Test func readsBodiesLargerThanABufferWhateverTheirFraming() async throws {
        let body = String((0..<100_000).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            for start in stride(from: 0, to: body.utf8.count, by: 30_000) {
                let part = body.utf8.dropFirst(start).prefix(30_000)
                peer.write(String(part.count, radix: 16) + "\r\n" + String(decoding: part, as: UTF8.self) + "\r\n")
            }
            peer.write("0\r\n\r\n")
            // Keep-alive: the next request comes on this connection.
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
        }
        let harness = try ClientHarness()
        #expect(try await harness.get("/", port: server.port).text == body)
        #expect(try await harness.get("/", port: server.port).text == body)
        #expect(server.accepted == 1)
        await harness.shutdown()
        server.stop()
    }

    /// (name, response whose body is beyond a 1000-byte limit, expected error)
    static let oversized: [(String, String, HTTPClientError)] = [
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n\(String(repeating: "a", count: 1000))\r\n1\r\nb\r\n0\r\n\r\n", .responseTooLarge),
        ("read until the close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n\(String(repeating: "a", count: 1001))", .responseTooLarge),
        ("Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1001\r\n\r\n", .invalidResponse("response body too large")),
    ]

    @Test(arguments: oversized)
    func aBodyBeyondTheLimitIsRefused(name: String, response: String, expected: HTTPClientError) async throws {
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            peer.write(response)
            peer.waitForClose()
        }
        let harness = try ClientHarness { $0.limits.maxBodyBytes = 1000 }
        await #expect(throws: expected, "\(name)") {
            _ = try await harness.get("/", port: server.port)
        }
        await harness.shutdown()
        server.stop()
    }

    @Test func refusesMalformedResponses() async throws {
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc")
            peer.waitForClose()
        }
        let harness = try ClientHarness()
        await #expect {
            _ = try await harness.get("/", port: server.port)
        } throws: { error in
            guard case .invalidResponse = error as? HTTPClientError else { return false }
            return true
        }
        await harness.shutdown()
        server.stop()
    }

    @Test func retriesARepeatableRequestOnceWhenAKeptConnectionWasClosed() async throws {
        // The first connection answers once, then drops the second request unanswered, as a
        // server closing an idle connection at that moment would.
        let server = try RawServer { peer, index in
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: \(index == 0 ? 5 : 6)\r\n\r\n\(index == 0 ? "first" : "second")")
            if index == 0 { try peer.readRequest() } else { peer.waitForClose() }
        }
        let harness = try ClientHarness()
        #expect(try await harness.get("/", port: server.port).text == "first")
        #expect(try await harness.get("/", port: server.port).text == "second")
        #expect(server.accepted == 2)
        await harness.shutdown()
        server.stop()
    }

    @Test func doesNotRepeatAPostWithoutAnIdempotencyKey() async throws {
        let server = try RawServer { peer, index in
            try peer.readRequest()
            peer.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            if index == 0 { try peer.readRequest() } else { peer.waitForClose() }
        }
        let harness = try ClientHarness()
        let post = HTTPClientRequest(method: .post, target: "/", body: Array("x".utf8))
        #expect(try await harness.send(post, port: server.port).text == "ok")
        await #expect(throws: HTTPClientError.connectionClosed) {
            _ = try await harness.send(post, port: server.port)
        }
        var keyed = post
        keyed.headers = [("Idempotency-Key", "k1")]
        #expect(try await harness.send(keyed, port: server.port).text == "ok", "a new connection serves it")
        await harness.shutdown()
        server.stop()
    }

    @Test func refusesRequestsThatCannotBeSentSafely() async throws {
        let harness = try ClientHarness()
        let bad: [HTTPClientRequest] = [
            HTTPClientRequest(target: "no-slash"),
            HTTPClientRequest(target: "/with space"),
            HTTPClientRequest(target: "/", headers: [("X-A", "b\r\nInjected: yes")]),
            HTTPClientRequest(target: "/", headers: [("Bad Name", "b")]),
            HTTPClientRequest(target: "/", headers: [("Content-Length", "3")]),
        ]
        for request in bad {
            await #expect {
                _ = try await harness.send(request, port: 9)
            } throws: { error in
                guard case .invalidRequest = error as? HTTPClientError else { return false }
                return true
            }
        }
        await harness.shutdown()
    }

    @Test func cancellingTheTaskClosesTheConnection() async throws {
        let entered = AsyncStream<Void>.makeStream()
        let server = try RawServer { peer, _ in
            try peer.readRequest()
            entered.continuation.yield()
            peer.waitForClose()
        }
        let harness = try ClientHarness()
        let task = Task { try await harness.get("/", port: server.port) }
        for await _ in entered.stream { break }
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(try await harness.idleConnections() == 0)
        await harness.shutdown()
        server.stop()
    }
}
