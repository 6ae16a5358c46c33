import HTTPCodec
import IOCore
import Logging

/// The server's state on one loop: its listeners, connections, Date cache and figures.
/// Used on that loop's thread only.
final class ServerLoop: LoopIterationObserver, @unchecked Sendable {
    // unowned(unsafe): the group keeps its loops alive for as long as any server uses them.
    unowned(unsafe) let loop: EventLoop
    let configuration: ServerConfiguration
    /// The settings HTTP/1.1 connections decide by, derived once.
    let http1Configuration: HTTP1ConnectionStateMachine.Configuration
    let pipeline: RequestPipeline
    let metrics: LoopHTTPMetrics
    let dateCache: DateCache
    let logger: Logger
    /// Serves connections that open with the HTTP/2 preface or negotiate h2 (a later issue).
    let http2: (any HTTP2ConnectionFactory)?
    let maxConnections: Int
    /// This loop's share of the server's listeners (all of them with SO_REUSEPORT).
    var listeners: [Listener] = []
    /// Every open connection, whatever its protocol (or before it has picked one).
    private(set) var connections: [any ServerConnection] = []
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
        http2: (any HTTP2ConnectionFactory)?,
        maxConnections: Int
    ) {
        self.loop = loop
        self.configuration = configuration
        self.http1Configuration = HTTP1ConnectionStateMachine.Configuration(configuration)
        self.pipeline = pipeline
        self.metrics = metrics
        self.dateCache = DateCache(loop: loop)
        self.logger = logger
        self.http2 = http2
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
        if configuration.socket.tcpNoDelay { try? Socket.setNoDelay(fd) }
        adopt(SocketTransport(fd: fd))
    }

    /// Starts serving a transport: its protocol selector is the connection until it has picked.
    func adopt(_ transport: any Transport) {
        guard connections.count < maxConnections, !isDraining else {
            metrics.connections.add(1, at: LoopHTTPMetrics.refusedIndex)
            transport.close()
            return
        }
        let selector = ProtocolSelector(transport: transport, serverLoop: self)
        do {
            try selector.start()
        } catch {
            logger.warning("could not register a connection", metadata: ["error": "\(error)"])
            transport.close()
            return
        }
        selector.registryIndex = connections.count
        connections.append(selector)
        metrics.connections.add(1, at: LoopHTTPMetrics.acceptedIndex)
        metrics.connections.set(connections.count, at: LoopHTTPMetrics.openIndex)
    }

    /// Puts the connection a selector picked in its place (same count, same slot).
    func replace(_ old: any ServerConnection, with new: any ServerConnection) {
        let index = old.registryIndex
        guard index >= 0, index < connections.count, connections[index] === old else { return }
        connections[index] = new
        new.registryIndex = index
        old.registryIndex = -1
    }

    /// Forgets a closed connection.
    func remove(_ connection: any ServerConnection) {
        let index = connection.registryIndex
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.registryIndex = index
        }
        connection.registryIndex = -1
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

    /// Stops accepting on every listener of this loop.
    func closeListeners() {
        for listener in listeners { listener.close() }
        listeners.removeAll()
    }

    /// Stops accepting, closes idle connections, lets busy ones finish their current request.
    func beginDrain() {
        isDraining = true
        closeListeners()
        for connection in connections { connection.beginDrain() }
        if connections.isEmpty { onDrained?() }
    }

    /// Closes every connection at once (the grace period is over).
    func closeAll() {
        isDraining = true
        closeListeners()
        while let connection = connections.last { connection.close() }
        if connections.isEmpty { onDrained?() }
    }
}
