import HTTPServer
import IOCore
import Logging

/// A real server on 127.0.0.1 with an ephemeral port, on its own loops.
final class TestServer: Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int

    private init(group: EventLoopGroup, server: HTTPServer, port: Int) {
        self.group = group
        self.server = server
        self.port = port
    }

    static func start(
        loops: Int = 1,
        configure: (inout ServerConfiguration) -> Void = { _ in },
        routes: (inout RouterBuilder) -> Void
    ) async throws -> TestServer {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configure(&configuration)
        var builder = RouterBuilder()
        routes(&builder)
        let router = try builder.build()
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: loops, configuration: loopConfiguration)
        let server = HTTPServer(configuration: configuration, group: group, router: router, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        let port = try await server.start()
        return TestServer(group: group, server: server, port: port)
    }

    func connect() throws -> RawConnection {
        try RawConnection(port: port)
    }

    /// Shuts the server down gracefully, then the loops.
    func stop() async throws {
        try await server.shutdown()
        group.shutdown()
    }

    /// Open connections, read after every loop has finished its current iteration (so a
    /// close the client already saw is counted).
    func openConnections() async throws -> Int {
        for loop in group.loops { try await loop.submit {} }
        return server.metrics.openConnections
    }

    /// Chunks taken from the pools of all loops and not given back (read on each loop).
    func buffersInUse() async throws -> Int {
        var total = 0
        for loop in group.loops {
            total += try await loop.submit { loop.buffers.inUse }
        }
        return total
    }
}
