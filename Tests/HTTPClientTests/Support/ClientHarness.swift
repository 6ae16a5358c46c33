import HTTPClient
import HTTPCodec
import HTTPServer
import IOCore
import Logging

/// A client loop with its `HTTPClients`, and helpers to call a local port.
final class ClientHarness: Sendable {
    let group: EventLoopGroup
    let clients: HTTPClients

    init(configure: (inout HTTPClientConfiguration) -> Void = { _ in }) throws {
        var configuration = HTTPClientConfiguration()
        configure(&configuration)
        group = try EventLoopGroup(count: 1)
        clients = HTTPClients(loops: group.loops, configuration: configuration)
    }

    var client: HTTPClient { clients.clients[0] }

    func send(_ request: HTTPClientRequest, port: Int, timeout: Duration? = nil) async throws -> HTTPClientResponse {
        try await clients.execute(request, to: SocketAddress(host: "127.0.0.1", port: port), timeout: timeout)
    }

    func get(_ target: String, port: Int, timeout: Duration? = nil) async throws -> HTTPClientResponse {
        try await send(HTTPClientRequest(method: .get, target: target), port: port, timeout: timeout)
    }

    /// Connections the client opened so far.
    func connectionsOpened() async throws -> Int {
        let client = self.client
        return try await client.loop.submit { client.connectionsOpened }
    }

    func idleConnections() async throws -> Int {
        let client = self.client
        return try await client.loop.submit { client.idleConnectionCount }
    }

    func shutdown() async {
        await clients.closeIdleConnections()
        group.shutdown()
    }
}

/// Our own HTTPServer on 127.0.0.1 and an ephemeral port.
final class LocalServer: Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int

    private init(group: EventLoopGroup, server: HTTPServer, port: Int) {
        self.group = group
        self.server = server
        self.port = port
    }

    static func start(routes: (inout RouterBuilder) -> Void) async throws -> LocalServer {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        var builder = RouterBuilder()
        routes(&builder)
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        let server = HTTPServer(
            configuration: configuration, group: group, router: try builder.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let port = try await server.start()
        return LocalServer(group: group, server: server, port: port)
    }

    func openConnections() async throws -> Int {
        for loop in group.loops { try await loop.submit {} }
        return server.metrics.openConnections
    }

    func stop() async throws {
        try await server.shutdown()
        group.shutdown()
    }
}
