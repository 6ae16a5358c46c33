import HTTPServer
import IOCore
import Logging
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ListenerTests {
    static func routes(_ routes: inout RouterBuilder) {
        routes.get("/hello", .immediate { _, _ in .text("hello") })
    }

    static func twoListeners(reusePort: Bool) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.socket.reusePort = reusePort
            configuration.listeners = [
                ListenerConfiguration(name: "public", host: "127.0.0.1", port: 0),
                ListenerConfiguration(name: "internal", host: "127.0.0.1", port: 0),
            ]
        }
    }

    /// A port nothing listens on right now: bound once by the kernel's choice, then let go.
    static func freePort() throws -> Int {
        let (fd, port) = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0), options: SocketOptions())
        close(fd)
        return port
    }

    static func isRefused(_ port: Int) -> Bool {
        do {
            _ = try RawConnection(port: port)
            return false
        } catch {
            return "\(error)".contains("errno \(ECONNREFUSED)")
        }
    }

    @Test(arguments: [true, false])
    func everyListenerServesTheSameRouter(reusePort: Bool) async throws {
        let server = try await TestServer.start(loops: 2, configure: Self.twoListeners(reusePort: reusePort)) { Self.routes(&$0) }
        let ports = server.server.ports
        #expect(ports.count == 2)
        #expect(Set(ports).count == 2)
        #expect(server.server.port == ports[0])
        for port in ports {
            let client = try RawConnection(port: port)
            // Two requests per port: with two loops, connections land on both.
            for _ in 0..<2 {
                try await client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n")
                #expect(try await client.readResponse().text == "hello")
            }
        }
        try await server.stop()
        for port in ports { #expect(Self.isRefused(port), "port \(port) still accepts after shutdown") }
    }

    @Test func aListenerThatCannotBindLeavesNoOtherListening() async throws {
        // Held without SO_REUSEPORT, so the server's bind (with it) is refused.
        var exclusive = SocketOptions()
        exclusive.reusePort = false
        let taken = try Socket.listen(on: SocketAddress(host: "127.0.0.1", port: 0), options: exclusive)
        defer { close(taken.fd) }
        let first = try Self.freePort()
        var configuration = ServerConfiguration()
        configuration.listeners = [
            ListenerConfiguration(name: "first", host: "127.0.0.1", port: first),
            ListenerConfiguration(name: "taken", host: "127.0.0.1", port: taken.port),
        ]
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        defer { group.shutdown() }
        let server = HTTPServer(
            configuration: configuration, group: group, router: try RouterBuilder().build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        await #expect(throws: IOError.self) { try await server.start() }
        #expect(server.ports.isEmpty)
        #expect(Self.isRefused(first))
    }

    @Test func listenersAreChecked() {
        var configuration = ServerConfiguration()
        configuration.listeners = []
        #expect(configuration.problems(bufferChunkSize: 65_536) == ["at least one listener is needed"])
        configuration.listeners = [
            ListenerConfiguration(name: "a", host: "127.0.0.1", port: 8080),
            ListenerConfiguration(name: "a", host: "127.0.0.1", port: 70_000),
            ListenerConfiguration(name: "b", host: "127.0.0.1", port: 8080),
            ListenerConfiguration(name: "c", host: "127.0.0.1", port: 0),
            ListenerConfiguration(name: "d", host: "127.0.0.1", port: 0),
        ]
        #expect(
            configuration.problems(bufferChunkSize: 65_536) == [
                "listener 'a': port must be 0...65535, got 70000",
                "listener name 'a' is used twice",
                "listeners 'a' and 'b' both bind 127.0.0.1:8080",
            ]
        )
    }

    @Test func hostAndPortAreTheFirstListeners() {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 9000
        #expect(configuration.listeners == [ListenerConfiguration(name: "http", host: "127.0.0.1", port: 9000)])
        configuration.listeners = []
        configuration.port = 9001
        #expect(configuration.listeners == [ListenerConfiguration(name: "http", host: "0.0.0.0", port: 9001)])
    }
}
