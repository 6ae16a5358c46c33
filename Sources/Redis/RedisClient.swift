public import IOCore

/// The Redis of one event loop: one pipelined connection, opened on first use and replaced
/// after it breaks, behind a circuit breaker. Loop-bound like its connection.
///
/// Redis is an optimisation here, so the client fails fast rather than waits: after failed
/// connects it backs off (calls fail at once with `.connectFailed` until the next attempt is
/// due), and after `failureThreshold` consecutive failures the breaker opens and calls fail at
/// once with `.circuitOpen` until a probe after the cool-down succeeds. Callers (caches, rate
/// limits) fall back to the database on any error.
public final class RedisClient: RedisCommands, @unchecked Sendable {
    public struct Configuration: Sendable {
        public var connection: RedisConnection.Configuration
        /// Consecutive failed calls (no answer: timeouts, lost or refused connections) that
        /// open the breaker. Error replies are answers and do not count.
        public var failureThreshold = 5
        /// How long the open breaker refuses calls before letting one probe through.
        public var coolDown: Duration = .seconds(5)
        /// Wait after the first failed connect; doubles with each further failure.
        public var reconnectBackoff: Duration = .milliseconds(50)
        public var maxReconnectBackoff: Duration = .seconds(2)

        public init(connection: RedisConnection.Configuration) {
            self.connection = connection
        }

        /// Parses a `redis://host[:port][/db]` URL (see `RedisConnection.Configuration`).
        public init(url: String) throws(RedisError) {
            self.init(connection: try RedisConnection.Configuration(url: url))
        }
    }

    public enum BreakerState: Sendable, Equatable {
        case closed, open, halfOpen
    }

    /// Figures for metrics; read them on the loop.
    public struct Figures: Sendable, Equatable {
        public var breaker = BreakerState.closed
        /// Consecutive failed calls counted by the breaker.
        public var consecutiveFailures = 0
        /// How often the breaker has opened.
        public var timesOpened = 0
        /// Commands sent to Redis (not those refused before reaching it).
        public var commands = 0
        /// Commands that failed with `.timeout`.
        public var timeouts = 0
        /// Calls refused by the open breaker.
        public var rejected = 0
        /// Connections established.
        public var connectionsOpened = 0
    }

    public let loop: EventLoop
    public let configuration: Configuration
    private var breaker: CircuitBreaker
    private var counters = Figures()
    private var connection: RedisConnection?
    /// Non-nil while a connect runs: callers arriving meanwhile wait for the same one.
    private var connectWaiters: [UnsafeContinuation<RedisConnection, any Error>]?
    private var failedConnects = 0
    private var nextConnectAllowed = LoopInstant(nanoseconds: 0)
    private var lastConnectError = RedisError.connectFailed("not connected yet")
    private var isClosed = false

    public init(configuration: Configuration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        self.breaker = CircuitBreaker(
            failureThreshold: configuration.failureThreshold,
            coolDown: configuration.coolDown
        )
    }

    public var figures: Figures {
        var figures = counters
        figures.breaker = switch breaker.state {
        case .closed: .closed
        case .open: .open
        case .halfOpen: .halfOpen
        }
        figures.consecutiveFailures = breaker.consecutiveFailures
        figures.timesOpened = breaker.timesOpened
        return figures
    }

    /// Sends one command on the loop's connection (opening it if needed), guarded by the breaker.
    public func command(_ arguments: [[UInt8]]) async throws -> RedisValue {
        loop.preconditionInEventLoop()
        try RedisConnection.checkSupported(arguments)
        guard !isClosed else { throw RedisError.misuse("the client was closed") }
        let admission = breaker.admit(at: loop.now)
        guard admission != .rejected else {
            counters.rejected += 1
            throw RedisError.circuitOpen
        }
        let probe = admission == .probe
        // Backing off is no news about Redis, so it is not reported to the breaker. The probe
        // goes through regardless: the cool-down was the longer wait.
        if !probe, connection?.isUsable != true, connectWaiters == nil, loop.now < nextConnectAllowed {
            throw RedisError.connectFailed("backing off after: \(lastConnectError)")
        }
        do {
            // The usual case without an async call: each one costs a trip through the loop's queue.
            let connection: RedisConnection
            if let current = self.connection, current.isUsable {
                connection = current
            } else {
                connection = try await newConnection()
            }
            counters.commands += 1
            let value = try await connection.command(arguments)
            breaker.record(success: true, probe: probe, at: loop.now)
            return value
        } catch RedisError.server(let message) {
            breaker.record(success: true, probe: probe, at: loop.now)
            throw RedisError.server(message)
        } catch {
            if case RedisError.timeout = error { counters.timeouts += 1 }
            breaker.record(success: false, probe: probe, at: loop.now)
            throw error
        }
    }

    /// Closes the connection; later calls fail with `.misuse`.
    public func close() {
        loop.preconditionInEventLoop()
        isClosed = true
        connection?.close()
        connection = nil
    }

    // MARK: - Connecting

    /// Opens the connection, or waits for the connect already running.
    private func newConnection() async throws -> RedisConnection {
        if connectWaiters != nil {
            return try await withUnsafeThrowingContinuation { connectWaiters?.append($0) }
        }
        connectWaiters = []
        connection = nil
        let outcome: Result<RedisConnection, any Error>
        do {
            let fresh = try await RedisConnection.connect(configuration.connection, on: loop)
            if isClosed {
                fresh.close()
                throw RedisError.misuse("the client was closed")
            }
            outcome = .success(fresh)
        } catch {
            outcome = .failure(error)
        }
        let waiters = connectWaiters ?? []
        connectWaiters = nil
        switch outcome {
        case .success(let fresh):
            connection = fresh
            failedConnects = 0
            counters.connectionsOpened += 1
        case .failure(let error):
            failedConnects += 1
            nextConnectAllowed = loop.now.advanced(by: backoff(after: failedConnects))
            lastConnectError = (error as? RedisError) ?? .connectFailed("\(error)")
        }
        for waiter in waiters { waiter.resume(with: outcome) }
        return try outcome.get()
    }

    /// Exponential, capped, with jitter (50–100 %) so that the clients of many loops and
    /// instances do not reconnect in step after Redis comes back.
    private func backoff(after failures: Int) -> Duration {
        let doubled = configuration.reconnectBackoff * (1 << min(failures - 1, 20))
        return min(doubled, configuration.maxReconnectBackoff) * Double.random(in: 0.5...1)
    }
}
