public import IOCore

/// The connections of one event loop. Loop-bound like its connections: a request handler
/// borrows one with `withConnection` and gives it back when the closure returns.
///
/// When every connection is busy, callers wait in a bounded queue with a timeout; when the
/// queue is full, or the wait times out, `acquire` fails at once with `.exhausted`, which the
/// API turns into 503 + Retry-After instead of letting requests pile up.
public final class PostgresPool: @unchecked Sendable {
    public struct Configuration: Sendable {
        /// libpq connection string or URL.
        public var conninfo: String
        /// Connections opened ahead of demand and kept through idle periods.
        public var minConnections = 1
        public var maxConnections = 8
        /// Callers allowed to wait for a connection; beyond that they fail at once.
        public var maxWaiters = 64
        /// How long a caller waits for a connection before failing.
        public var acquireTimeout: Duration = .seconds(1)
        /// Idle connections above `minConnections` are closed after this long.
        public var idleTimeout: Duration = .seconds(60)
        /// Connections are replaced after this long, whatever their state.
        public var maxLifetime: Duration = .seconds(30 * 60)
        /// A connection idle for longer than this is checked with a round trip before reuse.
        public var healthCheckAfterIdle: Duration = .seconds(10)
        /// Statements prepared on every connection as it opens, run with `execute(name:)`.
        public var statements: [PreparedStatement] = []
        /// `SET` commands sent as a connection opens, e.g. `["statement_timeout = 5000"]`.
        public var sessionSettings: [String] = []

        public init(conninfo: String) {
            self.conninfo = conninfo
        }
    }

    public enum PoolError: Error, Sendable, Equatable {
        /// No connection became free in time, or too many callers were already waiting.
        case exhausted
        /// The pool was shut down.
        case closed
    }

    /// Figures for metrics.
    public struct Figures: Sendable, Equatable {
        public var open = 0
        public var idle = 0
        public var waiting = 0
        public var opened = 0
        public var exhausted = 0
    }

    /// Slots of `counters`: written on the loop, read by a metrics scrape on any thread.
    private enum Figure: Int, CaseIterable {
        case open, idle, waiting, opened, exhausted
    }

    private let counters = SingleWriterCounters(count: Figure.allCases.count)

    /// The current figures; safe to read from any thread.
    public var figures: Figures {
        Figures(
            open: counters.value(at: Figure.open.rawValue), idle: counters.value(at: Figure.idle.rawValue),
            waiting: counters.value(at: Figure.waiting.rawValue), opened: counters.value(at: Figure.opened.rawValue),
            exhausted: counters.value(at: Figure.exhausted.rawValue)
        )
    }

    private var openCount: Int { counters.value(at: Figure.open.rawValue) }

    private func set(_ figure: Figure, _ value: Int) { counters.set(value, at: figure.rawValue) }
    private func add(_ figure: Figure, _ amount: Int) { counters.add(amount, at: figure.rawValue) }

    public let loop: EventLoop
    public let configuration: Configuration
    private var idle: [(connection: PostgresConnection, since: LoopInstant, born: LoopInstant)] = []
    private var birth: [ObjectIdentifier: LoopInstant] = [:]
    private var opening = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var reaper: RepeatingTimer?
    private var isClosed = false

    private struct Waiter {
        let id: Int
        let continuation: UnsafeContinuation<PostgresConnection, any Error>
        let timeout: RepeatingTimer
    }

    public init(configuration: Configuration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
    }

    /// Opens `minConnections` and starts reclaiming idle ones. Call on the loop.
    public func start() async throws {
        loop.preconditionInEventLoop()
        for _ in 0..<configuration.minConnections {
            let connection = try await open()
            park(connection)
        }
        let interval = max(.milliseconds(10), configuration.idleTimeout / 2)
        reaper = loop.scheduleRepeating(every: interval) { [weak self] in self?.reclaimIdle() }
    }

    /// Runs `body` with a connection of this pool; it goes back to the pool afterwards.
    public func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let connection = try await acquire()
        defer { release(connection) }
        return try await body(connection)
    }

    /// Takes a connection: an idle one (checked if it idled long), a new one while under the
    /// maximum, or one a caller releases while this one waits.
    public func acquire() async throws -> PostgresConnection {
        loop.preconditionInEventLoop()
        while true {
            guard !isClosed else { throw PoolError.closed }
            if let entry = idle.popLast() {
                set(.idle, idle.count)
                let now = loop.now
                if !entry.connection.isUsable || entry.born.duration(to: now) >= configuration.maxLifetime {
                    discard(entry.connection)
                    continue
                }
                if entry.since.duration(to: now) >= configuration.healthCheckAfterIdle {
                    guard (try? await entry.connection.query("SELECT 1")) != nil else {
                        discard(entry.connection)
                        continue
                    }
                }
                return entry.connection
            }
            if openCount + opening < configuration.maxConnections {
                return try await open()
            }
            return try await waitForRelease()
        }
    }

    /// Gives a connection back: to a waiting caller, to the idle list, or closed when broken
    /// or past its lifetime.
    public func release(_ connection: PostgresConnection) {
        loop.preconditionInEventLoop()
        let born = birth[ObjectIdentifier(connection)] ?? loop.now
        if isClosed || !connection.isIdleOutsideTransaction || born.duration(to: loop.now) >= configuration.maxLifetime {
            discard(connection)
            // A waiter may now get a fresh connection in its place.
            if !waiters.isEmpty && !isClosed { openForWaiter() }
            return
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            set(.waiting, waiters.count)
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: connection)
            return
        }
        park(connection)
    }

    /// Closes every idle connection and fails waiters; busy ones close when released.
    public func close() {
        loop.preconditionInEventLoop()
        isClosed = true
        reaper?.cancel()
        reaper = nil
        for entry in idle { discard(entry.connection) }
        idle = []
        set(.idle, 0)
        let failed = waiters
        waiters = []
        set(.waiting, 0)
        for waiter in failed {
            waiter.timeout.cancel()
            waiter.continuation.resume(throwing: PoolError.closed)
        }
    }

    // MARK: - Internals

    private func open() async throws -> PostgresConnection {
        opening += 1
        defer { opening -= 1 }
        let connection = try await PostgresConnection.connect(configuration.conninfo, on: loop)
        do {
            for setting in configuration.sessionSettings {
                _ = try await connection.simpleQuery("SET \(setting)")
            }
            for statement in configuration.statements {
                try await connection.prepare(statement.name, statement.sql)
            }
        } catch {
            connection.close()
            throw error
        }
        birth[ObjectIdentifier(connection)] = loop.now
        add(.open, 1)
        add(.opened, 1)
        return connection
    }

    private func park(_ connection: PostgresConnection) {
        let born = birth[ObjectIdentifier(connection)] ?? loop.now
        idle.append((connection, loop.now, born))
        set(.idle, idle.count)
    }

    private func discard(_ connection: PostgresConnection) {
        if birth.removeValue(forKey: ObjectIdentifier(connection)) != nil { add(.open, -1) }
        if connection.isUsable { connection.close() }
    }

    private func waitForRelease() async throws -> PostgresConnection {
        guard waiters.count < configuration.maxWaiters else {
            add(.exhausted, 1)
            throw PoolError.exhausted
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withUnsafeThrowingContinuation { continuation in
            let timeout = loop.scheduleOnce(after: configuration.acquireTimeout) { [weak self] in
                self?.expireWaiter(id)
            }
            waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
            set(.waiting, waiters.count)
        }
    }

    private func expireWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        set(.waiting, waiters.count)
        add(.exhausted, 1)
        waiter.continuation.resume(throwing: PoolError.exhausted)
    }

    /// Replaces a discarded connection for the first waiter, in the background.
    private func openForWaiter() {
        guard openCount + opening < configuration.maxConnections else { return }
        Task(executorPreference: loop) {
            guard let connection = try? await self.open() else { return }
            self.release(connection)
        }
    }

    private func reclaimIdle() {
        let now = loop.now
        var kept: [(connection: PostgresConnection, since: LoopInstant, born: LoopInstant)] = []
        for entry in idle {
            let expired = entry.since.duration(to: now) >= configuration.idleTimeout
                || entry.born.duration(to: now) >= configuration.maxLifetime
            if (expired && openCount > configuration.minConnections) || !entry.connection.isUsable {
                discard(entry.connection)
            } else {
                kept.append(entry)
            }
        }
        idle = kept
        set(.idle, idle.count)
    }
}

/// A statement a pool prepares on each connection; run it with `execute(name, parameters)`.
public struct PreparedStatement: Sendable, Hashable {
    public let name: String
    public let sql: String

    public init(_ name: String, _ sql: String) {
        self.name = name
        self.sql = sql
    }
}
