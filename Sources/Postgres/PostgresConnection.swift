internal import CPostgres
import Foundation
public import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// One PostgreSQL connection driven by an event loop: libpq in non-blocking mode, its socket
/// in the loop's epoll set, and the waiting task resumed on the loop when the answer is in.
/// No thread ever blocks on the database.
///
/// Loop-bound: create and use it from a task running on `loop` (`Task(executorPreference:)`,
/// as request handlers do). One statement runs at a time; callers queue in order.
///
/// Host names are resolved by libpq (a blocking getaddrinfo): give numeric addresses
/// (`hostaddr=` or an IP in the URL) or a Unix socket for production loops.
public final class PostgresConnection: IOEventHandler, @unchecked Sendable {
    public let loop: EventLoop
    private var connection: OpaquePointer?
    private var socket: Int32 = -1
    private var registration: Registration?
    private var interest = Interest.levelTriggeredRead
    private var phase = Phase.connecting
    /// The statement in flight and what it produced so far.
    private var pending: Pending?
    /// Callers waiting for their turn, in arrival order.
    private var waiting: [UnsafeContinuation<Void, any Error>] = []
    private var connectWaiter: UnsafeContinuation<Void, any Error>?
    /// Counts statements sent, so a late cancel request cannot hit a later statement.
    private var statementNumber = 0
    /// Why the connection closed: what a statement asked of it afterwards fails with. A break
    /// noticed between two statements (the server ended the session while the caller held the
    /// connection) must reach the next statement as the outage it is, not as a misuse.
    private var closedBecause: PostgresError?

    private enum Phase {
        case connecting, idle, busy, closed
    }

    private struct Pending {
        let continuation: UnsafeContinuation<PostgresRows, any Error>
        var rows: PostgresRows?
        var error: PostgresError?
    }

    /// False once the connection broke or was closed; a pool drops such connections.
    public var isUsable: Bool { phase == .idle || phase == .busy }

    /// True when idle outside a transaction: safe to hand to the next user.
    public var isIdleOutsideTransaction: Bool {
        guard phase == .idle, let connection else { return false }
        return PQtransactionStatus(connection) == PQTRANS_IDLE
    }

    private init(loop: EventLoop) {
        self.loop = loop
    }

    deinit {
        // Registered connections are kept alive by the loop, so this runs only after close().
        if let connection { PQfinish(connection) }
    }

    /// Connects without blocking (`PQconnectStart`/`PQconnectPoll` driven by epoll).
    /// `conninfo` is a libpq connection string or URL.
    public static func connect(_ conninfo: String, on loop: EventLoop) async throws -> PostgresConnection {
        loop.preconditionInEventLoop()
        let connection = PostgresConnection(loop: loop)
        try await connection.start(conninfo)
        return connection
    }

    /// Runs `sql` with `parameters` bound as $1, $2, … (text format); returns its rows.
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await run(parameters) { connection, count, values in
            PQsendQueryParams(connection, sql, count, nil, values, nil, nil, 0)
        }
    }

    /// Runs `sql` with the simple query protocol: several statements separated by `;`, no
    /// parameters (for migrations and administration, never with input in the text).
    public func simpleQuery(_ sql: String) async throws -> PostgresRows {
        try await run([]) { connection, _, _ in
            PQsendQuery(connection, sql)
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        _ = try await query("BEGIN")
        let result: Result
        do {
            result = try await body(self)
        } catch {
            // Not cancellable: a cancelled request must still leave the connection clean.
            if isUsable { _ = try? await run([], cancellable: false) { connection, _, _ in PQsendQuery(connection, "ROLLBACK") } }
            throw error
        }
        _ = try await query("COMMIT")
        return result
    }

    /// Prepares `sql` under `name` on this connection (parameter types from casts in the SQL).
    public func prepare(_ name: String, _ sql: String) async throws {
        _ = try await run([]) { connection, _, _ in
            PQsendPrepare(connection, name, sql, 0, nil)
        }
    }

    /// Runs the statement prepared as `name` with `parameters`.
    public func execute(_ name: String, _ parameters: [PostgresValue] = []) async throws -> PostgresRows {
        try await run(parameters) { connection, count, values in
            PQsendQueryPrepared(connection, name, count, values, nil, nil, 0)
        }
    }

    /// Closes the connection; waiting callers get a `.misuse` error.
    public func close() {
        loop.preconditionInEventLoop()
        shutDown(PostgresError(kind: .misuse, message: "the connection was closed"))
    }

    // MARK: - Connecting

    private func start(_ conninfo: String) async throws {
        guard let connection = PQconnectStart(conninfo) else {
            throw PostgresError(kind: .connection, message: "out of memory starting a connection")
        }
        self.connection = connection
        // libpq prints notices ("relation … already exists, skipping") to stderr by default;
        // they are not errors and do not belong in our JSON logs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        guard PQstatus(connection) != CONNECTION_BAD, PQsetnonblocking(connection, 1) == 0 else {
            let error = PostgresError.connection(connection, connectFailure(connection))
            shutDown(error)
            throw error
        }
        try await withUnsafeThrowingContinuation { (continuation: UnsafeContinuation<Void, any Error>) in
            connectWaiter = continuation
            // libpq's protocol: act as if PQconnectPoll had answered "writing" first.
            watch(PQsocket(connection), interest: .levelTriggeredReadWrite)
        }
    }

    private func pollConnect() {
        guard let connection else { return }
        let status = PQconnectPoll(connection)
        let current = PQsocket(connection)
        switch status {
        case PGRES_POLLING_READING:
            watch(current, interest: .levelTriggeredRead)
        case PGRES_POLLING_WRITING:
            watch(current, interest: .levelTriggeredReadWrite)
        case PGRES_POLLING_OK:
            watch(current, interest: .levelTriggeredRead)
            phase = .idle
            let waiter = connectWaiter
            connectWaiter = nil
            waiter?.resume()
        default:
            shutDown(PostgresError.connection(connection, connectFailure(connection)))
        }
    }

    /// "cannot connect to 127.0.0.1:5432": libpq's own message does not always say where.
    private func connectFailure(_ connection: OpaquePointer) -> String {
        let host = PQhost(connection).map { String(cString: $0) } ?? ""
        let port = PQport(connection).map { String(cString: $0) } ?? ""
        guard !host.isEmpty else { return "cannot connect" }
        let shownHost = host.contains(":") && !host.hasPrefix("/") ? "[\(host)]" : host
        return port.isEmpty ? "cannot connect to \(shownHost)" : "cannot connect to \(shownHost):\(port)"
    }

    /// Makes epoll watch `fd` for `interest`. libpq may switch sockets while connecting
    /// (another address, a retry without SSL), and a closed socket leaves epoll by itself,
    /// so a failed modification falls back to a fresh registration.
    private func watch(_ fd: Int32, interest: Interest) {
        guard fd >= 0 else {
            shutDown(PostgresError.connection(connection, "no socket"))
            return
        }
        if let registration, fd == socket {
            if self.interest == interest { return }
            do {
                try loop.reregister(fd: fd, interest: interest, registration: registration)
                self.interest = interest
                return
            } catch {}
        }
        if let registration { loop.deregister(fd: socket, registration: registration) }
        registration = nil
        do {
            registration = try loop.register(fd: fd, interest: interest, handler: self)
            socket = fd
            self.interest = interest
        } catch {
            shutDown(PostgresError(kind: .connection, message: "cannot watch the socket: \(error)"))
        }
    }

    // MARK: - Statements

    private func run(
        _ parameters: [PostgresValue],
        cancellable: Bool = true,
        send: (OpaquePointer, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    ) async throws -> PostgresRows {
        loop.preconditionInEventLoop()
        try PostgresValue.checkStorable(parameters)
        try await waitForTurn()
        guard cancellable else { return try await self.send(parameters, nil, send) }
        // A cancelled task (a request past its deadline) asks the server to stop its statement;
        // the statement then ends with SQLSTATE 57014 and the connection stays usable.
        let ticket = CancelTicket()
        return try await withTaskCancellationHandler {
            try Task.checkCancellation()
            return try await self.send(parameters, ticket, send)
        } onCancel: {
            loop.execute { [weak self] in self?.requestCancel(ticket) }
        }
    }

    private func send(
        _ parameters: [PostgresValue],
        _ ticket: CancelTicket?,
        _ send: (OpaquePointer, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Int32
    ) async throws -> PostgresRows {
        // Sending and recording the pending statement happen in one step on the loop: an
        // `await` between them could let the loop consume the answer before anyone waits for it.
        return try await withUnsafeThrowingContinuation { continuation in
            guard let connection, phase == .busy else {
                continuation.resume(throwing: closedError)
                return
            }
            let sent = withTextParameters(parameters) { count, values in send(connection, count, values) }
            guard sent == 1 else {
                let error = PostgresError.connection(connection, "cannot send the statement")
                continuation.resume(throwing: error)
                shutDown(error)
                return
            }
            statementNumber &+= 1
            ticket?.statement = statementNumber
            pending = Pending(continuation: continuation)
            flush()
            // The answer may already sit in libpq's buffer (read while this task was queued).
            if let connection = self.connection { collectResults(connection) }
        }
    }

    private func waitForTurn() async throws {
        switch phase {
        case .idle where waiting.isEmpty:
            phase = .busy
        case .idle, .busy, .connecting:
            try await withUnsafeThrowingContinuation { waiting.append($0) }
        case .closed:
            throw closedError
        }
    }

    /// What a statement on the closed connection fails with: the break that closed it, if it
    /// broke; a misuse if we closed it.
    private var closedError: PostgresError {
        guard let cause = closedBecause, cause.kind == .connection else {
            return PostgresError(kind: .misuse, message: "the connection is closed")
        }
        return PostgresError(kind: .connection, message: "the connection had broken: \(cause.message)")
    }

    /// The statement is answered: hand its result over and let the next caller in.
    private func finishStatement() {
        guard let finished = pending else { return }
        pending = nil
        if waiting.isEmpty {
            phase = .idle
        } else {
            // Stays busy: the turn passes straight to the next caller.
            waiting.removeFirst().resume()
        }
        if let error = finished.error {
            finished.continuation.resume(throwing: error)
        } else {
            finished.continuation.resume(returning: finished.rows ?? PostgresRows(columns: [], values: [], affectedRows: 0))
        }
    }

    private func flush() {
        guard let connection else { return }
        switch PQflush(connection) {
        case 0: watch(socket, interest: .levelTriggeredRead)
        case 1: watch(socket, interest: .levelTriggeredReadWrite)
        default: shutDown(PostgresError.connection(connection, "cannot send"))
        }
    }

    public func handleReadiness(_ readiness: Readiness) {
        guard let connection else { return }
        if phase == .connecting {
            pollConnect()
            return
        }
        if readiness.contains(.writable) && interest == .levelTriggeredReadWrite {
            flush()
        }
        guard readiness.contains(.readable) || readiness.contains(.hangup) || readiness.contains(.error) else { return }
        guard PQconsumeInput(connection) == 1 else {
            shutDown(PostgresError.connection(connection, "the connection broke"))
            return
        }
        collectResults(connection)
    }

    private func collectResults(_ connection: OpaquePointer) {
        while pending != nil, PQisBusy(connection) == 0 {
            guard let result = PQgetResult(connection) else {
                finishStatement()
                return
            }
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK:
                pending?.rows = PostgresRows(copying: result)
            case PGRES_FATAL_ERROR:
                if pending?.error == nil { pending?.error = PostgresError.server(result) }
            default:
                break  // empty query, notices: nothing to return
            }
        }
        if pending == nil, PQstatus(connection) == CONNECTION_BAD {
            shutDown(PostgresError.connection(connection, "the connection broke"))
        }
    }

    /// Asks the server to cancel the statement in flight. libpq 15's `PQcancel` blocks (it
    /// opens a connection of its own), so it runs on a short-lived thread, never on the loop.
    private func requestCancel(_ ticket: CancelTicket) {
        // Only the ticket's own statement: the backend cancels whatever runs, maybe a later one.
        guard pending != nil, ticket.statement == statementNumber, let connection, let cancel = PQgetCancel(connection) else { return }
        let handle = CancelHandle(cancel)
        Thread.detachNewThread {
            var message = [CChar](repeating: 0, count: 256)
            _ = PQcancel(handle.cancel, &message, Int32(message.count))
            PQfreeCancel(handle.cancel)
        }
    }

    /// Ends the connection and fails everyone waiting on it.
    private func shutDown(_ error: PostgresError) {
        guard phase != .closed else { return }
        phase = .closed
        closedBecause = error
        if let registration { loop.deregister(fd: socket, registration: registration) }
        registration = nil
        if let connection { PQfinish(connection) }
        connection = nil
        let connectWaiter = self.connectWaiter
        self.connectWaiter = nil
        connectWaiter?.resume(throwing: error)
        let pending = self.pending
        self.pending = nil
        pending?.continuation.resume(throwing: error)
        let waiting = self.waiting
        self.waiting = []
        for waiter in waiting { waiter.resume(throwing: error) }
    }
}

/// Calls `body` with the parameters as C strings (NULL for SQL NULL), valid for the call.
private func withTextParameters<Result>(
    _ parameters: [PostgresValue],
    _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Result
) -> Result {
    if parameters.isEmpty { return body(0, nil) }
    let copies: [UnsafeMutablePointer<CChar>?] = parameters.map { value in value.text.map { strdup($0) } }
    defer { for copy in copies { free(copy) } }
    let pointers = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body(Int32(parameters.count), $0.baseAddress) }
}

/// A `PGcancel` handed to the thread that sends the cancel request; used there only.
private struct CancelHandle: @unchecked Sendable {
    let cancel: OpaquePointer
    init(_ cancel: OpaquePointer) { self.cancel = cancel }
}

/// Which statement a cancellation is meant for; set and read on the loop only.
private final class CancelTicket: @unchecked Sendable {
    var statement = -1
}
