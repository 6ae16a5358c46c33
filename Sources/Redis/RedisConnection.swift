internal import CHiredis
public import IOCore

/// One Redis connection driven by an event loop: hiredis' async API with our epoll as its
/// event library (`RedisConnection+EventHooks.swift`). No thread ever blocks on Redis.
///
/// Commands are pipelined: any number may be in flight, and Redis answers them in the order
/// they were sent, so each answer goes to the oldest waiting caller. A command unanswered
/// after `commandTimeout` fails with `.timeout` and ends the connection, since a late answer
/// would otherwise be taken for the next command's.
///
/// Loop-bound: connect and use it from tasks running on `loop` (`Task(executorPreference:)`).
/// A sent command cannot be cancelled; the timeouts bound every wait.
public final class RedisConnection: @unchecked Sendable {
    public let loop: EventLoop
    public let configuration: Configuration

    /// The hiredis context; nil once hiredis has let go of it (its cleanup hook ran).
    var context: UnsafeMutablePointer<redisAsyncContext>?
    var socket: Int32 = -1
    var registration: Registration?
    /// Whether epoll watches writability too (reads are always watched).
    var watchingWrites = false
    /// Commands were queued in this loop iteration and go out at its end.
    var needsFlush = false
    var isFlushing = false
    var phase = Phase.connecting
    var pending = CommandQueue()
    var connectWaiter: UnsafeContinuation<Void, any Error>?
    var connectDeadline: LoopInstant
    /// Why the context is going away, settled before hiredis fails what is still pending.
    var closeReason: RedisError?
    /// One timer for the connection: at the connect deadline, then at the oldest command's.
    lazy var timer = LoopTimer(target: self)

    enum Phase {
        case connecting, connected, closed
    }

    /// False once the connection broke, timed out or was closed; a client replaces it then.
    public var isUsable: Bool { phase == .connected }

    /// Commands sent and not answered yet.
    public var commandsInFlight: Int { pending.count }

    private init(configuration: Configuration, loop: EventLoop) {
        self.configuration = configuration
        self.loop = loop
        self.connectDeadline = loop.now.advanced(by: configuration.connectTimeout)
    }

    deinit {
        // While hiredis holds the context, the loop's registration holds us.
        assert(context == nil, "a RedisConnection went away with its hiredis context still open")
    }

    /// Connects without blocking and selects the configured database.
    public static func connect(_ configuration: Configuration, on loop: EventLoop) async throws -> RedisConnection {
        loop.preconditionInEventLoop()
        let connection = RedisConnection(configuration: configuration, loop: loop)
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            // Recorded before anything can fail: every failure path resumes it through `finish`.
            connection.connectWaiter = continuation
            connection.open()
        }
        if configuration.database != 0 {
            do {
                _ = try await connection.command(["SELECT", String(configuration.database)])
            } catch {
                // Never hand out a connection on the wrong database.
                let failure = RedisError.connectFailed("SELECT \(configuration.database): \(error)")
                connection.abort(failure)
                throw failure
            }
        }
        return connection
    }

    /// Sends one command with binary-safe arguments and returns its answer; an error reply
    /// throws `.server`, after which the connection stays usable.
    public func command(_ arguments: [[UInt8]]) async throws -> RedisValue {
        loop.preconditionInEventLoop()
        try Self.checkSupported(arguments)
        // Sending and recording the waiter happen in one step on the loop: between an `await`
        // and a later bookkeeping step the loop could read the answer with nobody to take it.
        return try await withUnsafeThrowingContinuation { continuation in
            send(arguments, continuation)
        }
    }

    /// Closes the connection at once; commands in flight fail with `.misuse`.
    public func close() {
        loop.preconditionInEventLoop()
        abort(.misuse("the connection was closed"))
    }

    // MARK: - Commands

    private func send(_ arguments: [[UInt8]], _ continuation: UnsafeContinuation<RedisValue, any Error>) {
        guard phase == .connected, let context else {
            continuation.resume(throwing: errorForClosedConnection())
            return
        }
        let privateData = Unmanaged.passUnretained(self).toOpaque()
        let status = withArgumentVector(arguments) { count, values, lengths in
            redisAsyncCommandArgv(context, { _, reply, privateData in
                guard let privateData else { return }
                RedisConnection.from(privateData).receive(reply)
            }, privateData, count, values, lengths)
        }
        guard status == REDIS_OK else {
            continuation.resume(throwing: RedisError.connectionLost("hiredis refused the command"))
            return
        }
        let deadline = loop.now.advanced(by: configuration.commandTimeout)
        pending.append(.init(continuation: continuation, deadline: deadline))
        // Armed lazily for the oldest command; `timerFired` moves it on to the next one.
        if !timer.isArmed { loop.timers.schedule(timer, at: deadline) }
    }

    /// hiredis calls this once per command, in order: with the reply, or with nil when the
    /// context is being freed before the answer came.
    private func receive(_ reply: UnsafeMutableRawPointer?) {
        guard let entry = pending.popFirst() else { return }
        guard let reply else {
            entry.continuation.resume(throwing: failure(for: entry))
            return
        }
        let value = RedisValue(copying: reply.assumingMemoryBound(to: redisReply.self))
        if case .error(let message) = value {
            entry.continuation.resume(throwing: RedisError.server(message))
        } else {
            entry.continuation.resume(returning: value)
        }
    }

    /// Subscriptions and MONITOR turn the connection into a stream of pushed messages, which
    /// would break the one-answer-per-command order every other caller relies on.
    static func checkSupported(_ arguments: [[UInt8]]) throws(RedisError) {
        guard let name = arguments.first else { throw .misuse("empty command") }
        // Those names have 7 to 12 letters: most commands are waved through without decoding.
        guard (7...12).contains(name.count) else { return }
        let upper = String(decoding: name, as: UTF8.self).uppercased()
        if Self.streamingCommands.contains(upper) {
            throw .misuse("\(upper) is not supported on a shared connection")
        }
    }

    private static let streamingCommands: Set<String> = [
        "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE", "MONITOR",
    ]

    // MARK: - Ending

    /// Frees the hiredis context now; hiredis then fails every pending command (through
    /// `receive(nil)`) and calls the cleanup hook, which ends the connection (`contextDidEnd`).
    /// Never call from inside a hiredis callback: hiredis would defer the free, and we do not
    /// rely on that.
    func abort(_ reason: RedisError) {
        guard let context else {
            finish(reason)
            return
        }
        if closeReason == nil { closeReason = reason }
        // The loop's registration may be our last strong reference, and freeing removes it.
        let retained = Unmanaged.passRetained(self)
        defer { retained.release() }
        redisAsyncFree(context)
    }

    /// The end of the connection: everyone still waiting is told why, once.
    func finish(_ reason: RedisError) {
        guard phase != .closed else { return }
        if phase == .connected { loop.removeIterationObserver(self) }
        phase = .closed
        if closeReason == nil { closeReason = reason }
        loop.timers.cancel(timer)
        let waiter = connectWaiter
        connectWaiter = nil
        // A failed connect says where it was tried: "Connection refused" alone does not.
        waiter?.resume(throwing: reason.tried(at: configuration))
        while let entry = pending.popFirst() {
            entry.continuation.resume(throwing: failure(for: entry))
        }
    }

    /// What a command pending at the end gets. After a timeout only the expired commands get
    /// `.timeout`; the younger ones were dropped with the connection, not late themselves.
    func failure(for entry: CommandQueue.Entry) -> RedisError {
        let reason = closeReason ?? .connectionLost("the connection closed")
        if reason == .timeout && entry.deadline > loop.now {
            return .connectionLost("dropped with the connection after an earlier command timed out")
        }
        return reason
    }

    private func errorForClosedConnection() -> RedisError {
        switch closeReason {
        case .misuse(let message)?: .misuse(message)
        case let reason?: .connectionLost("the connection is closed (\(reason))")
        case nil: .misuse("the connection is not connected yet")
        }
    }

    static func from(_ data: UnsafeRawPointer) -> RedisConnection {
        Unmanaged<RedisConnection>.fromOpaque(data).takeUnretainedValue()
    }
}

/// Calls `body` with C views of `arguments` (pointers and lengths), valid during the call.
/// hiredis copies them into its output buffer before returning.
private func withArgumentVector<Result>(
    _ arguments: [[UInt8]],
    _ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> Result
) -> Result {
    let total = arguments.reduce(0) { $0 + $1.count }
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(total, 1))
    defer { storage.deallocate() }
    var values: [UnsafePointer<CChar>?] = []
    var lengths: [Int] = []
    values.reserveCapacity(arguments.count)
    lengths.reserveCapacity(arguments.count)
    var offset = 0
    for argument in arguments {
        argument.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress {
                UnsafeMutableRawPointer(storage + offset).copyMemory(from: base, byteCount: bytes.count)
            }
        }
        values.append(UnsafePointer(storage + offset))
        lengths.append(argument.count)
        offset += argument.count
    }
    return values.withUnsafeMutableBufferPointer { values in
        lengths.withUnsafeBufferPointer { lengths in
            body(Int32(arguments.count), values.baseAddress!, lengths.baseAddress!)
        }
    }
}
