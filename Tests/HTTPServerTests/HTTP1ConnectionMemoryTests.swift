import Foundation
import HTTPCodec
import IOCore
import Testing

@testable import HTTPServer

/// The whole HTTP/1.1 connection (selector, state machine, buffers, pipeline) over an
/// in-memory transport: no socket, every byte and every readiness event chosen by the test.
@Suite struct HTTP1ConnectionMemoryTests {
    static let get = "GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n"

    static func responses(in text: String) -> Int {
        text.components(separatedBy: "HTTP/1.1 ").count - 1
    }

    @Test func pipelinedRequestsAreAnsweredInOrderUntilConnectionClose() async throws {
        let server = try await MemoryServer(routes: Routes.standard)
        let transport = MemoryTransport()
        try await server.connect(transport)
        let output = try await server.onLoop {
            transport.deliver(
                "GET /query?first HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /query?second HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    + Self.get
            )
            return transport.takeOutput()
        }
        #expect(Self.responses(in: output) == 2)
        #expect(output.range(of: "first")!.lowerBound < output.range(of: "second")!.lowerBound)
        #expect(output.hasSuffix("Connection: close\r\n\r\nsecond"))
        #expect(try await server.onLoop { transport.isShutDown && !transport.isClosed })
        // The client closes its side: the lingering connection closes and is forgotten.
        #expect(try await server.onLoop {
            transport.endInput()
            return transport.isClosed && server.serverLoop.connections.isEmpty
        })
        try await server.stop()
    }

    @Test func aHeadInPiecesIsAnsweredOnceComplete() async throws {
        let server = try await MemoryServer(routes: Routes.standard)
        let transport = MemoryTransport()
        try await server.connect(transport)
        for piece in ["GE", "T /plaintext HT", "TP/1.1\r\nHo", "st: t\r\n\r"] {
            #expect(try await server.onLoop {
                transport.deliver(piece)
                return transport.takeOutput()
            } == "")
        }
        let answer = try await server.onLoop {
            transport.deliver("\n")
            return transport.takeOutput()
        }
        #expect(answer.hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(answer.hasSuffix("Hello, World!"))
        try await server.stop()
    }

    @Test func aBlockedLastResponseIsFinishedBeforeLingeringAndNoLaterRequestIsAnswered() async throws {
        let server = try await MemoryServer(routes: Routes.standard)
        let transport = MemoryTransport()
        try await server.connect(transport)
        transport.writeRoom = 10
        let first = try await server.onLoop {
            transport.deliver("GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n" + Self.get)
            return transport.takeOutput()
        }
        #expect(first == "HTTP/1.1 2")
        #expect(try await server.onLoop { !transport.isShutDown })
        // The client reads again: the rest of the response leaves, then the connection lingers
        // (it does not go back to the pipelined request).
        let rest = try await server.onLoop {
            transport.makeRoom()
            return transport.takeOutput()
        }
        #expect(Self.responses(in: first + rest) == 1)
        #expect((first + rest).hasSuffix("Hello, World!"))
        #expect(try await server.onLoop { transport.isShutDown })
        try await server.stop()
    }

    @Test func aBodyCutShortByTheClientClosesWithoutAnAnswer() async throws {
        let server = try await MemoryServer(routes: Routes.standard)
        let transport = MemoryTransport()
        try await server.connect(transport)
        let output = try await server.onLoop {
            transport.deliver("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
            transport.endInput()
            return transport.takeOutput()
        }
        #expect(output == "")
        #expect(try await server.onLoop { transport.isClosed && server.serverLoop.connections.isEmpty })
        try await server.stop()
    }

    @Test func aMalformedRequestIsAnsweredWithAProblemAndTheConnectionLingers() async throws {
        let server = try await MemoryServer(routes: Routes.standard)
        let transport = MemoryTransport()
        try await server.connect(transport)
        let output = try await server.onLoop {
            transport.deliver("GET /plaintext HTTP/1.1\r\nHost: t\r\nBad Header: x\r\n\r\n" + Self.get)
            return transport.takeOutput()
        }
        #expect(output.hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        #expect(output.contains("Connection: close\r\n"))
        #expect(output.contains("application/problem+json"))
        #expect(Self.responses(in: output) == 1)
        #expect(try await server.onLoop { transport.isShutDown })
        try await server.stop()
    }

    @Test func aDrainClosesAnIdleConnectionAndLetsABusyOneFinish() async throws {
        let entered = Signal()
        let release = Signal()
        let server = try await MemoryServer { routes in
            Routes.standard(&routes)
            routes.get("/wait", .async { _, _ in
                entered.mark()
                try await release.waitUntilMarked()
                return .text("done")
            })
        }
        let idle = MemoryTransport()
        let busy = MemoryTransport()
        try await server.connect(idle)
        try await server.connect(busy)
        _ = try await server.onLoop {
            idle.deliver(Self.get)
            busy.deliver("GET /wait HTTP/1.1\r\nHost: t\r\n\r\n")
        }
        try await entered.waitUntilMarked()
        #expect(try await server.onLoop {
            server.serverLoop.beginDrain()
            return idle.isClosed && !busy.isClosed
        })
        release.mark()
        // The busy one answers with Connection: close, then lingers.
        let waitedBy = ContinuousClock.now.advanced(by: .seconds(60))
        var answer = ""
        while !answer.contains("done") && ContinuousClock.now < waitedBy {
            answer += try await server.onLoop { busy.takeOutput() }
            if !answer.contains("done") { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(answer.contains("Connection: close\r\n"))
        #expect(answer.hasSuffix("done"))
        try await server.stop()
    }
}
