public import IOCore
public import Logging
public import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The HTTP server: listeners and connections on every loop of a group, one router for all.
///
/// As a `Service`, `run()` serves until graceful shutdown is signalled (SIGTERM/SIGINT via
/// a ServiceGroup), then stops accepting, lets in-flight requests finish within the grace
/// period, closes the rest and returns.
public final class HTTPServer: Service, Sendable {
    public let configuration: ServerConfiguration
    private let group: EventLoopGroup
    private let router: Router
    private let logger: Logger
    private let http2: (any HTTP2ConnectionFactory)?
    private let serverLoops: [ServerLoop]
    /// Request and connection figures of every loop.
    public let metrics: HTTPServerMetrics
    private let state = Mutex(State())

    private struct State {
        var ports: [Int] = []
        var started = false
        var stopped = false
    }

    public convenience init(configuration: ServerConfiguration, group: EventLoopGroup, router: Router, logger: Logger) {
        self.init(configuration: configuration, group: group, router: router, logger: logger, http2: nil)
    }

    /// `http2` serves connections that open with the HTTP/2 preface (HTTP/2 is a later issue).
    init(
        configuration: ServerConfiguration, group: EventLoopGroup, router: Router, logger: Logger,
        http2: (any HTTP2ConnectionFactory)?
    ) {
        self.configuration = configuration
        self.group = group
        self.router = router
        self.logger = logger
        self.http2 = http2
        let pipeline = RequestPipeline(router: router)
        let perLoopLimit = max(1, configuration.maxConnections / group.loops.count)
        self.serverLoops = group.loops.map { loop in
            ServerLoop(
                loop: loop,
                configuration: configuration,
                pipeline: pipeline,
                metrics: LoopHTTPMetrics(routeCount: router.routes.count),
                logger: logger,
                http2: http2,
                maxConnections: perLoopLimit
            )
        }
        self.metrics = HTTPServerMetrics(
            routes: router.routes.map { ($0.pattern, $0.method) }, loops: serverLoops.map(\.metrics), group: group
        )
    }

    /// The first listener's bound port, once `start()` has returned.
    public var port: Int? { state.withLock { $0.ports.first } }

    /// Every listener's bound port, in the order of `configuration.listeners`, once started.
    public var ports: [Int] { state.withLock { $0.ports } }

    /// Binds the listeners and starts serving; returns the first listener's bound port.
    @discardableResult
    public func start() async throws -> Int {
        // A write to a connection the client reset must fail with EPIPE, not kill the process.
        signal(SIGPIPE, SIG_IGN)
        let addresses = try configuration.listeners.map { try SocketAddress(host: $0.host, port: $0.port) }
        for loop in group.loops {
            let problems = configuration.problems(bufferChunkSize: loop.buffers.chunkSize)
            guard problems.isEmpty else { throw ServerStateError(message: problems.joined(separator: "; ")) }
            guard loop.buffers.scratchBytes >= configuration.scratchBytesPerChunk else {
                throw ServerStateError(
                    message: "loop \(loop.index) buffers have \(loop.buffers.scratchBytes) scratch bytes; the header table needs "
                        + "\(configuration.scratchBytesPerChunk): set EventLoop.Configuration.bufferScratchBytes"
                )
            }
        }
        try state.withLock { state in
            guard !state.started else { throw ServerStateError(message: "the server was already started") }
            state.started = true
        }
        for serverLoop in serverLoops {
            try await serverLoop.loop.submit {
                serverLoop.loop.addIterationObserver(serverLoop)
                serverLoop.dateCache.start()
            }
        }
        var ports: [Int] = []
        do {
            for (listener, address) in zip(configuration.listeners, addresses) {
                let port = try await listen(on: address)
                ports.append(port)
                logger.info(
                    "listening",
                    metadata: [
                        "listener": "\(listener.name)", "address": "\(address.with(port: port))", "loops": "\(serverLoops.count)",
                        "reusePort": "\(configuration.socket.reusePort)",
                    ]
                )
            }
        } catch {
            // Serve on all listeners or on none: a half-started server would hide the failure.
            for serverLoop in serverLoops {
                try? await serverLoop.loop.submit { serverLoop.closeListeners() }
            }
            throw error
        }
        state.withLock { $0.ports = ports }
        return ports[0]
    }

    /// Binds one address on every loop (SO_REUSEPORT) or on loop 0, which deals connections
    /// out in turn; returns the bound port.
    private func listen(on address: SocketAddress) async throws -> Int {
        if configuration.socket.reusePort {
            // The first bind picks the port when 0 was asked for; the others share it.
            var port = address.port
            for serverLoop in serverLoops {
                let (fd, bound) = try Socket.listen(on: address.with(port: port), options: configuration.socket)
                port = bound
                try await Self.attachListener(fd: fd, to: serverLoop, distribute: nil)
            }
            return port
        }
        let (fd, bound) = try Socket.listen(on: address, options: configuration.socket)
        let loops = serverLoops
        let next = Atomic<Int>(0)
        try await Self.attachListener(fd: fd, to: serverLoops[0]) { connection in
            let target = loops[next.wrappingAdd(1, ordering: .relaxed).oldValue % loops.count]
            if target.loop.inEventLoop {
                target.adopt(fd: connection)
            } else {
                target.loop.execute { target.adopt(fd: connection) }
            }
        }
        return bound
    }

    private static func attachListener(fd: Int32, to serverLoop: ServerLoop, distribute: (@Sendable (Int32) -> Void)?) async throws {
        try await serverLoop.loop.submit {
            let listener = Listener(fd: fd, serverLoop: serverLoop, distribute: distribute)
            do {
                try listener.start()
            } catch {
                listener.close()
                throw error
            }
            serverLoop.listeners.append(listener)
        }
    }

    public func run() async throws {
        if port == nil { try await start() }
        // Serve until the service group signals graceful shutdown (SIGTERM/SIGINT) or cancels us.
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops accepting, waits up to the grace period for busy connections, closes the rest.
    public func shutdown() async throws {
        let alreadyStopped = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        guard !alreadyStopped else { return }
        logger.info("draining connections", metadata: ["gracePeriod": "\(configuration.shutdownGracePeriod)"])
        let drained = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.drainAll() }
            group.addTask {
                do {
                    try await Task.sleep(for: self.configuration.shutdownGracePeriod)
                } catch {}
                return false
            }
            let first = await group.next() ?? false
            // Past the grace period: closing everything is also what lets the drain finish.
            if !first { await self.closeAllConnections() }
            group.cancelAll()
            await group.waitForAll()
            return first
        }
        await closeAllConnections()
        for serverLoop in serverLoops {
            try? await serverLoop.loop.submit {
                serverLoop.dateCache.stop()
                serverLoop.loop.removeIterationObserver(serverLoop)
                serverLoop.loopIterationDidEnd()
            }
        }
        logger.info("server stopped", metadata: ["drained": "\(drained)"])
    }

    private func closeAllConnections() async {
        for serverLoop in serverLoops {
            try? await serverLoop.loop.submit { serverLoop.closeAll() }
        }
    }

    /// Drains every loop; returns true once all connections are closed.
    private func drainAll() async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            for serverLoop in serverLoops {
                group.addTask {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        serverLoop.loop.execute {
                            let serverLoop = serverLoop
                            var resumed = false
                            serverLoop.onDrained = {
                                guard !resumed else { return }
                                resumed = true
                                continuation.resume()
                            }
                            serverLoop.beginDrain()
                        }
                    }
                }
            }
        }
        return true
    }
}

/// The server was used in the wrong order (e.g. started twice).
public struct ServerStateError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
