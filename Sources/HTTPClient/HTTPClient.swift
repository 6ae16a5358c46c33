public import IOCore

/// An HTTP/1.1 client bound to one event loop, with a small pool of keep-alive
/// connections per origin.
///
/// Loop-bound like the Postgres and Redis connections: call `execute` from a task running
/// on `loop` (`Task(executorPreference: loop)`, as request handlers do); the task suspends
/// while the socket is not ready and resumes on the loop. `HTTPClients` does the hop for
/// callers elsewhere. Nothing blocks: connecting is non-blocking and host names are numeric
/// (or "localhost"), never resolved through DNS on the loop.
public final class HTTPClient: @unchecked Sendable {
    public let loop: EventLoop
    public let configuration: HTTPClientConfiguration
    /// Idle connections per origin ("host:port"), most recently used last.
    private var idle: [String: [HTTPClientConnection]] = [:]
    /// Connections opened so far (a reuse check for tests and figures).
    public private(set) var connectionsOpened = 0

    public init(loop: EventLoop, configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        self.loop = loop
        self.configuration = configuration
    }

    /// Sends `request` to `address` and returns the complete response.
    ///
    /// `timeout` (default: the configuration's) bounds everything: waiting for a connection,
    /// sending, and the whole response. A timed-out connection is closed, never reused. A
    /// reused connection that fails before any answer (the server closed it while idle) is
    /// replaced once for requests that may be repeated (`HTTPClientRequest` explains which).
    /// Throws `HTTPClientError`, or `CancellationError` when the task is cancelled.
    public func execute(
        _ request: HTTPClientRequest,
        to address: SocketAddress,
        timeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        loop.preconditionInEventLoop()
        try RequestEncoder.validate(request)
        let deadline = LoopInstant.now().advanced(by: timeout ?? configuration.timeout)
        let key = address.description
        var mayRetry = request.mayRetryOnStaleConnection
        while true {
            try Task.checkCancellation()
            let reused = takeIdle(key)
            let connection = reused ?? HTTPClientConnection(loop: loop, originKey: key, limits: configuration.limits, client: self)
            if reused == nil { connectionsOpened += 1 }
            do {
                return try await exchange(request, on: connection, address: reused == nil ? address : nil, deadline: deadline)
            } catch let stale as StaleConnection {
                guard mayRetry else { throw stale.underlying }
                mayRetry = false
            }
        }
    }

    /// Closes every idle connection. Loop thread only.
    public func closeIdleConnections() {
        loop.preconditionInEventLoop()
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for connection in all { connection.close() }
    }

    /// Idle connections kept, all origins together. Loop thread only.
    public var idleConnectionCount: Int { idle.values.reduce(0) { $0 + $1.count } }

    private func exchange(
        _ request: HTTPClientRequest,
        on connection: HTTPClientConnection,
        address: SocketAddress?,
        deadline: LoopInstant
    ) async throws -> HTTPClientResponse {
        let id = connection.nextExchangeID()
        let loop = self.loop
        return try await withTaskCancellationHandler {
            // Recording the waiter and starting the I/O happen in one step on the loop: after
            // an `await` the answer could arrive with nobody registered to take it.
            try await withUnsafeThrowingContinuation { continuation in
                connection.begin(request, host: address?.description ?? connection.originKey, address: address, deadline: deadline, continuation: continuation)
            }
        } onCancel: {
            loop.execute { connection.cancel(exchange: id) }
        }
    }

    private func takeIdle(_ key: String) -> HTTPClientConnection? {
        while let connection = idle[key]?.popLast() {
            if connection.phase == .idle { return connection }
        }
        return nil
    }

    /// A connection finished an exchange and may be reused.
    func release(_ connection: HTTPClientConnection) {
        var list = idle[connection.originKey] ?? []
        guard list.count < configuration.maxIdleConnectionsPerOrigin else {
            connection.close()
            return
        }
        list.append(connection)
        idle[connection.originKey] = list
    }

    /// An idle connection closed (the server went away, or its idle time ran out).
    func forget(_ connection: HTTPClientConnection) {
        guard var list = idle[connection.originKey], let index = list.firstIndex(where: { $0 === connection }) else { return }
        list.remove(at: index)
        idle[connection.originKey] = list.isEmpty ? nil : list
    }
}
