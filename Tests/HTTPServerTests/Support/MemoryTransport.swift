import HTTPCodec
import IOCore
import Logging

@testable import HTTPServer

#if canImport(Glibc)
import Glibc
#endif

/// A transport over two byte arrays instead of a socket: tests put input in, take output
/// out and say when it is "readable" or "writable". Loop thread only (`@unchecked` lets a
/// test carry it into `loop.submit`).
final class MemoryTransport: Transport, @unchecked Sendable {
    private var handler: (any TransportHandler)?
    private var input: [UInt8] = []
    private(set) var output: [UInt8] = []
    /// Bytes `writev` may still take before it would block (a client that stopped reading).
    var writeRoom = Int.max
    private(set) var inputEnded = false
    private(set) var isShutDown = false
    private(set) var isClosed = false

    var scheme: HTTPScheme { .http }
    var negotiatedProtocol: String? { nil }

    func start(on loop: EventLoop, handler: any TransportHandler) throws(IOError) {
        self.handler = handler
    }

    func setHandler(_ handler: any TransportHandler) {
        self.handler = handler
    }

    /// The client sends `text`.
    func deliver(_ text: String) {
        input += Array(text.utf8)
        handler?.transportReady(.readable)
    }

    /// The client shuts down its sending side.
    func endInput() {
        inputEnded = true
        handler?.transportReady([.readable, .readHangup])
    }

    /// The client reads again: `room` more bytes may be written.
    func makeRoom(_ room: Int = Int.max) {
        writeRoom = room
        handler?.transportReady(.writable)
    }

    /// The output so far as text, emptied.
    func takeOutput() -> String {
        defer { output.removeAll() }
        return String(decoding: output, as: UTF8.self)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        guard !input.isEmpty else { return inputEnded ? .processed(0) : .wouldBlock }
        let count = min(buffer.count, input.count)
        input.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        input.removeFirst(count)
        return .processed(count)
    }

    func writev(_ vectors: UnsafeBufferPointer<iovec>) throws(IOError) -> IOResult<Int> {
        guard writeRoom > 0 else { return .wouldBlock }
        var written = 0
        for vector in vectors where written < writeRoom {
            let count = min(vector.iov_len, writeRoom - written)
            output += UnsafeRawBufferPointer(start: vector.iov_base, count: count)
            written += count
        }
        if writeRoom != Int.max { writeRoom -= written }
        return .processed(written)
    }

    func shutdownWrite() {
        isShutDown = true
    }

    func close() {
        isClosed = true
        handler = nil
    }
}

/// One loop with a `ServerLoop` on it and no listener: connections come from `MemoryTransport`s.
final class MemoryServer: Sendable {
    let group: EventLoopGroup
    let serverLoop: ServerLoop
    var loop: EventLoop { group.loops[0] }

    init(configure: (inout ServerConfiguration) -> Void = { _ in }, routes: (inout RouterBuilder) -> Void) async throws {
        var configuration = ServerConfiguration()
        configure(&configuration)
        var builder = RouterBuilder()
        routes(&builder)
        let router = try builder.build()
        var loopConfiguration = EventLoop.Configuration()
        loopConfiguration.bufferScratchBytes = configuration.scratchBytesPerChunk
        group = try EventLoopGroup(count: 1, configuration: loopConfiguration)
        serverLoop = ServerLoop(
            loop: group.loops[0], configuration: configuration, pipeline: RequestPipeline(router: router),
            metrics: LoopHTTPMetrics(routeCount: router.routes.count),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), http2: nil, maxConnections: 100
        )
        let serverLoop = serverLoop
        try await group.loops[0].submit { serverLoop.loop.addIterationObserver(serverLoop) }
    }

    /// A new connection over `transport`, as if just accepted.
    func connect(_ transport: MemoryTransport) async throws {
        let serverLoop = serverLoop
        try await loop.submit { serverLoop.adopt(transport) }
    }

    /// Runs `body` on the loop thread.
    func onLoop<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        try await loop.submit(body)
    }

    func stop() async throws {
        let serverLoop = serverLoop
        try await loop.submit {
            serverLoop.closeAll()
            serverLoop.loop.removeIterationObserver(serverLoop)
            serverLoop.loopIterationDidEnd()
        }
        group.shutdown()
    }
}
