import Foundation
import IOCore
import Logging
import Synchronization
import Testing

@testable import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// Stands in for the HTTP/2 implementation of a later issue: records what the protocol
/// selector handed it and makes connections that answer with a marker.
final class RecordingHTTP2: HTTP2ConnectionFactory {
    let received = Mutex<[UInt8]?>(nil)
    let handedOver = Signal()
    /// Whether its connections answer and close at once, or stay open until a drain.
    let answersAtOnce: Bool

    init(answersAtOnce: Bool) {
        self.answersAtOnce = answersAtOnce
    }

    func makeConnection(transport: any Transport, initialBytes: BufferChunk, serverLoop: ServerLoop) -> any ProtocolConnection {
        serverLoop.loop.preconditionInEventLoop()
        received.withLock { $0 = Array(initialBytes.readable) }
        var bytes: BufferChunk? = initialBytes
        serverLoop.loop.buffers.give(&bytes)
        return StandInHTTP2Connection(transport: transport, serverLoop: serverLoop, factory: self)
    }
}

/// A handed-over connection: it has a transport and a place in the registry, nothing more.
final class StandInHTTP2Connection: ProtocolConnection {
    let transport: any Transport
    unowned let serverLoop: ServerLoop
    let factory: RecordingHTTP2
    var registryIndex = -1
    private var isClosed = false

    init(transport: any Transport, serverLoop: ServerLoop, factory: RecordingHTTP2) {
        self.transport = transport
        self.serverLoop = serverLoop
        self.factory = factory
    }

    func start() {
        factory.handedOver.mark()
        if factory.answersAtOnce {
            say("taken over by HTTP/2\n")
            close()
        }
    }

    func transportReady(_ readiness: Readiness) {}

    /// What an HTTP/2 connection does on shutdown: GOAWAY, then close.
    func beginDrain() {
        say("GOAWAY\n")
        close()
    }

    func close() {
        guard !isClosed else { return }
        isClosed = true
        transport.close()
        serverLoop.remove(self)
    }

    private func say(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var vector = iovec(iov_base: raw.baseAddress, iov_len: raw.count)
            _ = withUnsafePointer(to: &vector) { try? transport.writev(UnsafeBufferPointer(start: $0, count: 1)) }
        }
    }
}

/// A server with a stand-in HTTP/2 on one loop.
func startServer(http2: RecordingHTTP2) async throws -> (HTTPServer, EventLoopGroup, Int) {
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
        logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), http2: http2
    )
    return (server, group, try await server.start())
}

@Suite struct ProtocolSeamTests {
    static let preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    @Test func thePriorKnowledgePrefaceHandsTheTransportAndItsBytesToHTTP2() async throws {
        let http2 = RecordingHTTP2(answersAtOnce: true)
        let (server, group, port) = try await startServer(http2: http2)
        let client = try RawConnection(port: port)
        // The preface arrives in two pieces, followed by the client's first frame bytes.
        try await client.send(String(Self.preface.prefix(7)))
        try await client.send(String(Self.preface.dropFirst(7)) + "\u{0}\u{0}\u{0}\u{4}")
        try await http2.handedOver.waitUntilMarked()
        #expect(http2.received.withLock { $0 } == Array((Self.preface + "\u{0}\u{0}\u{0}\u{4}").utf8))
        #expect(String(decoding: try await client.readUntilClosed(), as: UTF8.self) == "taken over by HTTP/2\n")
        // The selector let go of it: no connection left, no buffer held.
        try await group.loops[0].submit {}
        #expect(server.metrics.openConnections == 0)
        #expect(try await group.loops[0].submit { group.loops[0].buffers.inUse } == 0)
        // HTTP/1.1 clients are unaffected.
        let plain = try RawConnection(port: port)
        try await plain.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await plain.readResponse().text == "Hello, World!")
        try await server.shutdown()
        group.shutdown()
    }

    @Test func aHandedOverConnectionIsCountedAndDrainedAtShutdown() async throws {
        let http2 = RecordingHTTP2(answersAtOnce: false)
        let (server, group, port) = try await startServer(http2: http2)
        let client = try RawConnection(port: port)
        try await client.send(Self.preface)
        try await http2.handedOver.waitUntilMarked()
        try await group.loops[0].submit {}
        #expect(server.metrics.openConnections == 1)
        #expect(server.metrics.connectionsAccepted == 1)
        // Shutdown drains it like an HTTP/1.1 connection: it says goodbye and closes in time,
        // instead of being left open past the grace period.
        try await server.shutdown()
        #expect(String(decoding: try await client.readUntilClosed(), as: UTF8.self) == "GOAWAY\n")
        #expect(server.metrics.openConnections == 0)
        group.shutdown()
    }

    @Test func connectionsStillPickingTheirProtocolCountAgainstMaxConnections() async throws {
        let server = try await TestServer.start(configure: { $0.maxConnections = 1 }, routes: Routes.standard)
        let silent = try server.connect()
        // Wait until the silent connection is registered (it has not sent a byte).
        let registeredBy = ContinuousClock.now.advanced(by: .seconds(60))
        while try await server.openConnections() == 0 && ContinuousClock.now < registeredBy {
            try await Task.sleep(for: .milliseconds(5))
        }
        let refused = try server.connect()
        #expect(try await refused.isClosedByServer())
        #expect(server.server.metrics.connectionsRefused == 1)
        try await silent.send("GET /plaintext HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(try await silent.readResponse().text == "Hello, World!")
        try await server.stop()
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
