import Foundation
import IOCore
import Logging
import Synchronization
import Testing

@testable import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for the HTTP/2 implementation of a later issue: takes the connection over,
/// answers with a marker and closes, recording what it was handed.
final class RecordingTakeover: HTTP2Takeover {
    let received = Mutex<[UInt8]?>(nil)
    let handedOver = Signal()

    func takeOver(fd: Int32, loop: EventLoop, initialBytes: [UInt8]) {
        loop.preconditionInEventLoop()
        received.withLock { $0 = initialBytes }
        let marker = Array("taken over by HTTP/2\n".utf8)
        _ = marker.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        handedOver.mark()
    }
}

@Suite struct ProtocolSeamTests {
    static let preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    @Test func thePriorKnowledgePrefaceHandsTheConnectionAndItsBytesToHTTP2() async throws {
        let takeover = RecordingTakeover()
        var routes = RouterBuilder()
        Routes.standard(&routes)
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        let server = HTTPServer(
            configuration: configuration, group: group, router: try routes.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), http2Takeover: takeover
        )
        let port = try await server.start()
        let client = try RawConnection(port: port)
        // The preface arrives in two pieces, followed by the client's first frame bytes.
        try await client.send(String(Self.preface.prefix(7)))
        try await client.send(String(Self.preface.dropFirst(7)) + "\u{0}\u{0}\u{0}\u{4}")
        try await takeover.handedOver.waitUntilMarked()
        #expect(takeover.received.withLock { $0 } == Array((Self.preface + "\u{0}\u{0}\u{0}\u{4}").utf8))
        #expect(String(decoding: try await client.readUntilClosed(), as: UTF8.self) == "taken over by HTTP/2\n")
        // The HTTP/1.1 side let go of it: no connection left, no buffer held.
        #expect(server.metrics.openConnections == 0)
        #expect(try await group.loops[0].submit { group.loops[0].buffers.inUse } == 0)
        // HTTP/1.1 clients are unaffected.
        let plain = try RawConnection(port: port)
        try await plain.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await plain.readResponse().text == "Hello, World!")
        try await server.shutdown()
        group.shutdown()
    }

    @Test func withoutHTTP2ThePrefaceIsRefusedAsAnHTTP1Request() async throws {
        let server = try await TestServer.start(routes: Routes.standard)
        let client = try server.connect()
        try await client.send(Self.preface)
        let response = try await client.readResponse()
        #expect(response.status == 505)
        #expect(try await client.isClosedByServer())
        try await server.stop()
    }
}

@Suite struct ServerStartTests {
    @Test func loopsWhoseBuffersCannotHoldTheHeaderTableAreRefusedAtStart() async throws {
        var routes = RouterBuilder()
        Routes.standard(&routes)
        let group = try EventLoopGroup(count: 1)  // default: no scratch space in its buffers
        defer { group.shutdown() }
        let server = HTTPServer(
            configuration: ServerConfiguration(), group: group, router: try routes.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let error = await #expect(throws: ServerStateError.self) { try await server.start() }
        #expect(error?.message.contains("bufferScratchBytes") == true)
    }
}
