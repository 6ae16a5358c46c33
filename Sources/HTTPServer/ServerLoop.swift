import HTTPCodec
import IOCore
import Logging

/// The server's state on one loop: its listener, connections, Date cache and figures.
/// Used on that loop's thread only.
final class ServerLoop: LoopIterationObserver, @unchecked Sendable {
    // unowned(unsafe): the group keeps its loops alive for as long as any server uses them.
    unowned(unsafe) let loop: EventLoop
    let configuration: ServerConfiguration
    let pipeline: RequestPipeline
    let metrics: LoopHTTPMetrics
    let dateCache: DateCache
    let logger: Logger
    /// Hands a connection whose first bytes are the HTTP/2 preface to HTTP/2 (a later issue).
    let http2Takeover: HTTP2Takeover?
    let maxConnections: Int
    var listener: Listener?
    private(set) var connections: [HTTP1Connection] = []
    private(set) var isDraining = false
    /// Called when the last connection closes during a drain.
    var onDrained: (() -> Void)?
    /// Buffers to return to the pool at the end of the iteration (see `releaseLater`).
    private var deferredChunks: [BufferChunk] = []

    init(
        loop: EventLoop,
        configuration: ServerConfiguration,
        pipeline: RequestPipeline,
        metrics: LoopHTTPMetrics,
        logger: Logger,
        http2Takeover: HTTP2Takeover?,
        maxConnections: Int
    ) {
        self.loop = loop
        self.configuration = configuration
        self.pipeline = pipeline
        self.metrics = metrics
        self.dateCache = DateCache(loop: loop)
        self.logger = logger
        self.http2Takeover = http2Takeover
        self.maxConnections = maxConnections
        deferredChunks.reserveCapacity(256)
    }

    /// Hands a buffer back to the pool once the current iteration ends, when request values
    /// on the stack that still point into it are gone; clears the caller's reference.
    @inline(__always)
    func releaseLater(_ chunk: inout BufferChunk?) {
        guard let taken = chunk.take() else { return }
        deferredChunks.append(taken)
    }

    func loopIterationDidEnd() {
        while !deferredChunks.isEmpty {
            var chunk: BufferChunk? = deferredChunks.removeLast()
            loop.buffers.give(&chunk)
        }
    }

    /// Takes ownership of an accepted descriptor.
    func adopt(fd: Int32) {
        guard connections.count < maxConnections, !isDraining else {
            metrics.connections.add(1, at: LoopHTTPMetrics.refusedIndex)
            Syscall.close(fd)
            return
        }
        if configuration.socket.tcpNoDelay { try? Socket.setNoDelay(fd) }
        let connection = HTTP1Connection(fd: fd, serverLoop: self)
        do {
            try connection.start()
        } catch {
            logger.warning("could not register a connection", metadata: ["error": "\(error)"])
            Syscall.close(fd)
            return
        }
        connection.listIndex = connections.count
        connections.append(connection)
        metrics.connections.add(1, at: LoopHTTPMetrics.acceptedIndex)
        metrics.connections.set(connections.count, at: LoopHTTPMetrics.openIndex)
    }

    /// Forgets a closed connection.
    func remove(_ connection: HTTP1Connection) {
        let index = connection.listIndex
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.listIndex = index
        }
        connection.listIndex = -1
        metrics.connections.set(connections.count, at: LoopHTTPMetrics.openIndex)
        if isDraining && connections.isEmpty { onDrained?() }
    }

    /// Empties `body`, giving a pooled buffer it holds back at the end of this iteration.
    func release(_ body: inout ResponseBody) {
        if case .buffer(let chunk) = body {
            body = .empty
            var taken: BufferChunk? = chunk
            releaseLater(&taken)
        }
        body = .empty
    }

    /// Stops accepting, closes idle connections, lets busy ones finish their current request.
    func beginDrain() {
        isDraining = true
        listener?.close()
        listener = nil
        for connection in connections { connection.beginDrain() }
        if connections.isEmpty { onDrained?() }
    }

    /// Closes every connection at once (the grace period is over).
    func closeAll() {
        isDraining = true
        listener?.close()
        listener = nil
        while let connection = connections.last { connection.close() }
        if connections.isEmpty { onDrained?() }
    }
}

/// Takes over a connection that opened with the HTTP/2 preface (prior knowledge) or
/// negotiated h2 by ALPN. It gets the descriptor and the bytes read so far after the
/// HTTP/1.1 connection has deregistered it, and serves requests through the same
/// `RequestPipeline`, so handlers cannot tell the protocols apart.
protocol HTTP2Takeover: Sendable {
    func takeOver(fd: Int32, loop: EventLoop, initialBytes: [UInt8])
}
