import Foundation
import HTTPCodec
import HTTPServer
import IOCore
import LoadGen
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Our HTTPServer on 127.0.0.1 and an ephemeral port, with the routes the engine tests use.
final class EngineTestServer: Sendable {
    let group: EventLoopGroup
    let server: HTTPServer
    let port: Int
    /// Monotonic ns at which the stall window starts (0: no stall). During the second after
    /// it, every `/stall` answer waits until the window ends.
    let stallStart = Atomic<UInt64>(0)
    /// Requests /seen has answered.
    let seen = Atomic<Int>(0)

    private init(group: EventLoopGroup, server: HTTPServer, port: Int) {
        self.group = group
        self.server = server
        self.port = port
    }

    static func start() async throws -> EngineTestServer {
        var configuration = ServerConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        let holder = Holder()
        var builder = RouterBuilder()
        builder.get("/fast", .immediate { _, _ in .text("ok") })
        builder.get("/stall", .async { _, _ in
            let start = holder.server?.stallStart.load(ordering: .relaxed) ?? 0
            let now = LoopInstant.now().nanoseconds
            if start > 0, now >= start, now < start + 1_000_000_000 {
                try await Task.sleep(for: .nanoseconds(Int64(start + 1_000_000_000 - now)))
            }
            return .text("ok")
        })
        builder.post("/groups", .immediate { request, _ in
            let auth = request.headers.first("authorization") ?? "-"
            let body = #"{"id": 42, "order": {"id": "o-7", "total": 1999}, "auth": "\#(auth)", "echo": \#(request.body.string)}"#
            return Response(status: .created, headers: ResponseHeaders(contentType: "application/json"), body: .bytes(Array(body.utf8)))
        })
        builder.get("/groups/{id}", .immediate { request, _ in
            holder.server?.seen.add(1, ordering: .relaxed)
            let id = request.pathParameters["id"]?.string ?? "-"
            return id == "42" ? .text("group 42") : Response(status: .notFound, body: .empty)
        })
        builder.post("/buy", .immediate { _, _ in
            let body = #"{"type": "https://groupbuy.example/problems/sold-out", "title": "Sold out", "status": 409}"#
            return Response(status: .conflict, headers: ResponseHeaders(contentType: "application/problem+json"), body: .bytes(Array(body.utf8)))
        })
        builder.get("/plain-error", .immediate { _, _ in Response(status: .internalServerError, body: .empty) })
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        let group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        let server = HTTPServer(
            configuration: configuration, group: group, router: try builder.build(),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let port = try await server.start()
        let result = EngineTestServer(group: group, server: server, port: port)
        holder.server = result
        return result
    }

    var endpoint: Endpoint { Endpoint(address: try! SocketAddress(host: "127.0.0.1", port: port), host: "127.0.0.1:\(port)") }

    func openConnections() async throws -> Int {
        for loop in group.loops { try await loop.submit {} }
        return server.metrics.openConnections
    }

    func stop() async throws {
        try await server.shutdown()
        group.shutdown()
    }

    /// Lets routes reach the server object created after them.
    private final class Holder: @unchecked Sendable {
        var server: EngineTestServer?
    }
}

/// A listening socket that never accepts: the kernel completes handshakes and buffers the
/// requests, and no answer ever comes.
final class SilentListener {
    let fd: Int32
    let port: Int

    init() throws {
        let (fd, port) = try Socket.listen(on: try SocketAddress(host: "127.0.0.1", port: 0), options: SocketOptions())
        self.fd = fd
        self.port = port
    }

    func close() { Glibc.close(fd) }
}

/// A port nothing listens on (bound, then closed).
func refusedPort() throws -> Int {
    let listener = try SilentListener()
    listener.close()
    return listener.port
}

/// A blocking server thread that answers each request with the start of a response and
/// then closes the connection: an answer cut off in the middle.
final class CuttingServer: Sendable {
    let port: Int
    private let fd: Int32
    /// Signalled when the accept thread has returned: only then may `fd` be closed (as RawServer).
    private let acceptThreadDone = DispatchSemaphore(value: 0)

    init() throws {
        let (fd, port) = try Socket.listen(on: try SocketAddress(host: "127.0.0.1", port: 0), options: SocketOptions())
        // Blocking accepts on a thread of its own.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        self.fd = fd
        self.port = port
        let done = acceptThreadDone
        Thread.detachNewThread {
            defer { done.signal() }
            while true {
                let connection = accept(fd, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return
                }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                let partial = Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part".utf8)
                _ = partial.withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                Glibc.close(connection)
            }
        }
    }

    /// Closes the descriptor once the accept thread has left accept(): closed earlier, its
    /// number could be reused by another test's socket, which the thread would then accept on.
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        acceptThreadDone.wait()
        Glibc.close(fd)
    }
}
