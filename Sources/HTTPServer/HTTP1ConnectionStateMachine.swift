import HTTPCodec
import IOCore

/// The decisions of one HTTP/1.1 connection, without I/O, in the style of postgres-nio's
/// `ConnectionStateMachine`: `HTTP1Connection` feeds it events (bytes read, a head parsed, a
/// response queued, output flushed, a timer fired, a drain) and performs what it answers
/// (read, parse, dispatch, linger, close, which timer to arm). Buffers, the parser and the
/// transport stay with the connection, so tests drive this value with no socket or loop.
struct HTTP1ConnectionStateMachine {
    enum State: Equatable {
        /// Waiting for (the rest of) a request head; idle when no bytes are buffered.
        case awaitingHead
        /// Head parsed, body bytes still arriving.
        case readingBody
        /// The request is with the pipeline (an async handler may be running).
        case handling
        /// A streamed response body is being produced.
        case streaming
        /// The connection's last response is queued: no more requests are read; once it
        /// has left, lingering starts (RFC 9112 §9.6).
        case closing
        /// The last response is sent; discarding input until the client closes or a timer fires.
        case lingering
        case closed
    }

    /// What the connection does next when it drives itself.
    enum Step: Equatable {
        /// Nothing until readiness, a timer or a handler moves things on.
        case wait
        /// Offer the buffered bytes to the head parser.
        case parseHead
        /// Offer the buffered bytes to the body (Content-Length or chunked).
        case continueBody
        /// Read from the transport.
        case read
        /// Read and drop what the client still sends.
        case discardInput
    }

    /// The one timer a connection has, by what it is for.
    enum Timeout: Int, Equatable {
        case idle, header, body, write, deadline, linger
    }

    enum TimerAction: Equatable {
        case cancel
        /// The armed timer is already the right one.
        case keep
        case arm(Timeout, at: LoopInstant)
    }

    /// Which connection figure a timeout counts in.
    enum TimeoutFigure: Equatable {
        case timedOut, deadlineExceeded
    }

    enum TimeoutAction: Equatable {
        case close(counted: TimeoutFigure?)
        /// Answer with a problem and `Connection: close` outside the pipeline, then linger.
        case answerAndClose(HTTPStatus, detail: String, counted: TimeoutFigure)
    }

    enum HeadAction: Equatable {
        /// No body: hand the request to the pipeline.
        case dispatch
        /// No route for a request with a body: answer without reading it, then close.
        case dispatchLeavingBodyUnread
        /// Read the body first.
        case readBody
    }

    /// The settings the decisions depend on.
    struct Configuration: Equatable {
        var headerTimeout: Duration
        var bodyTimeout: Duration
        var idleTimeout: Duration
        var writeTimeout: Duration
        var requestTimeout: Duration
        var maxRequestsPerConnection: Int

        init(_ server: ServerConfiguration) {
            headerTimeout = server.headerTimeout
            bodyTimeout = server.bodyTimeout
            idleTimeout = server.idleTimeout
            writeTimeout = server.writeTimeout
            requestTimeout = server.requestTimeout
            maxRequestsPerConnection = server.maxRequestsPerConnection
        }
    }

    /// How long the server keeps draining input after its final response.
    static let lingerDuration: Duration = .seconds(2)
    static let drainingLingerDuration: Duration = .milliseconds(100)

    let configuration: Configuration
    private(set) var state = State.awaitingHead
    /// Edge-triggered reading: false once a read came back short or would block.
    private(set) var mayRead: Bool
    /// The client shut down its sending side (EOF or EPOLLRDHUP).
    private(set) var peerClosedWrite: Bool
    private(set) var isDraining = false
    /// The buffered bytes were not enough for the current step: read before trying again.
    private var needsBytes = false
    private(set) var requestsServed = 0
    /// Whether the request in flight may leave the connection open (decided at its head).
    private var keepAlive = false
    private(set) var writeBlocked = false
    private var headerDeadline: LoopInstant
    private var bodyDeadline = LoopInstant(nanoseconds: 0)
    private(set) var requestDeadline = LoopInstant(nanoseconds: 0)
    private var lingerDeadline = LoopInstant(nanoseconds: 0)
    private var writeProgress = LoopInstant(nanoseconds: 0)
    /// The timer as last armed; nil once it fired or was cancelled.
    private var armed: (kind: Timeout, deadline: LoopInstant)?

    /// A connection whose first bytes have just arrived (they start the header timeout).
    init(configuration: Configuration, now: LoopInstant, mayRead: Bool = true, peerClosedWrite: Bool = false) {
        self.configuration = configuration
        self.mayRead = mayRead
        self.peerClosedWrite = peerClosedWrite
        self.headerDeadline = now.advanced(by: configuration.headerTimeout)
    }

    // MARK: Reading

    /// Epoll reported readiness; false when the connection must close (a socket error).
    mutating func readinessReported(_ readiness: Readiness) -> Bool {
        guard state != .closed else { return false }
        if readiness.contains(.error) { return false }
        if readiness.contains(.readable) || readiness.contains(.hangup) { mayRead = true }
        if readiness.contains(.readHangup) {
            mayRead = true
            peerClosedWrite = true
        }
        return true
    }

    /// The next thing to do, given what is buffered and whether output is waiting.
    func nextStep(bufferedBytes: Int, pendingOutput: Bool) -> Step {
        if pendingOutput { return .wait }
        switch state {
        case .handling, .streaming, .closing, .closed:
            return .wait
        case .lingering:
            return mayRead ? .discardInput : .wait
        case .awaitingHead:
            if bufferedBytes > 0 && !needsBytes { return .parseHead }
            return mayRead ? .read : .wait
        case .readingBody:
            if !needsBytes { return .continueBody }
            return mayRead ? .read : .wait
        }
    }

    /// `count` bytes arrived in a read that offered `space`.
    mutating func bytesRead(_ count: Int, space: Int, intoEmptyBuffer: Bool, now: LoopInstant) {
        needsBytes = false
        // A short read drained the socket; edge-triggered epoll reports the next arrival.
        if count < space { mayRead = false }
        // The header timeout runs from a request's first byte.
        if intoEmptyBuffer && state == .awaitingHead { headerDeadline = now.advanced(by: configuration.headerTimeout) }
    }

    mutating func readWouldBlock() {
        mayRead = false
    }

    /// The client will send nothing more; true when the connection should close now.
    mutating func endOfInput() -> Bool {
        mayRead = false
        peerClosedWrite = true
        switch state {
        case .awaitingHead, .readingBody, .lingering:
            // Idle, or a request cut short: nobody is left to answer.
            return true
        case .handling, .streaming, .closing:
            // The response may still be read (the client only half-closed); close after it.
            return false
        case .closed:
            return false
        }
    }

    /// The buffered bytes hold no complete head (or body) yet.
    mutating func needMoreBytes() {
        needsBytes = true
    }

    // MARK: Requests

    /// A complete head was parsed; says whether to read a body first.
    mutating func headReceived(keepAliveRequested: Bool, hasBody: Bool, routed: Bool, now: LoopInstant) -> HeadAction {
        requestsServed += 1
        let limit = configuration.maxRequestsPerConnection
        keepAlive = keepAliveRequested && !isDraining && !peerClosedWrite && (limit == 0 || requestsServed < limit)
        bodyDeadline = now.advanced(by: configuration.bodyTimeout)
        needsBytes = false
        guard hasBody else { return .dispatch }
        guard routed else {
            keepAlive = false
            return .dispatchLeavingBodyUnread
        }
        state = .readingBody
        return .readBody
    }

    /// The request went to the pipeline; returns its deadline: the server's request timeout,
    /// or the earlier `deadline` its protocol asked for (e.g. `grpc-timeout`).
    mutating func requestDispatched(now: LoopInstant, deadline: LoopInstant? = nil) -> LoopInstant {
        state = .handling
        var end = now.advanced(by: configuration.requestTimeout)
        if let deadline, deadline < end { end = deadline }
        requestDeadline = end
        return end
    }

    /// Whether the response being written may leave the connection open.
    var responseKeepsAlive: Bool { keepAlive && !isDraining && !peerClosedWrite }

    mutating func streamStarted() {
        state = .streaming
    }

    /// The streamed body ended; `requestFinished` follows.
    mutating func streamFinished() {
        state = .handling
    }

    /// The response is queued (all of it, or its last chunk): on to the next request, or to closing.
    mutating func requestFinished(keepAlive: Bool, now: LoopInstant) {
        needsBytes = false
        // RFC 9112 §9.6: after Connection: close, stop reading requests.
        if keepAlive {
            state = .awaitingHead
        } else {
            state = .closing
            writeProgress = now
        }
    }

    /// A response outside the pipeline (a parse error, a timeout) will be the last.
    mutating func answeringAndClosing(now: LoopInstant) {
        keepAlive = false
        needsBytes = false
        state = .closing
        writeProgress = now
    }

    // MARK: Writing

    mutating func writeProgressed(now: LoopInstant) {
        writeProgress = now
    }

    mutating func writeWouldBlock(now: LoopInstant) {
        writeProgress = now
        writeBlocked = true
    }

    /// Everything queued has left; true when lingering should start (the last response is out).
    mutating func writeCompleted() -> Bool {
        writeBlocked = false
        return state == .closing
    }

    /// Our side is shut down; input is drained until the client closes or the linger timer fires.
    mutating func lingerStarted(now: LoopInstant) -> Bool {
        guard state != .closed else { return false }
        state = .lingering
        // While the server shuts down, linger just long enough for in-flight bytes to land.
        lingerDeadline = now.advanced(by: isDraining ? Self.drainingLingerDuration : Self.lingerDuration)
        return true
    }

    // MARK: Shutdown

    /// Graceful shutdown asked; true when the connection should close now (idle, or only lingering).
    mutating func drainRequested(bufferedBytes: Int, pendingOutput: Bool) -> Bool {
        isDraining = true
        let idle = state == .awaitingHead && bufferedBytes == 0 && !pendingOutput
        return idle || state == .lingering
    }

    /// False when it was closed already.
    mutating func closed() -> Bool {
        guard state != .closed else { return false }
        state = .closed
        armed = nil
        return true
    }

    // MARK: Timers

    /// Which timer the connection should have armed now.
    mutating func timerAction(now: LoopInstant, bufferedBytes: Int, pendingOutput: Bool) -> TimerAction {
        let next: (kind: Timeout, deadline: LoopInstant)
        if writeBlocked && pendingOutput {
            next = (.write, writeProgress.advanced(by: configuration.writeTimeout))
        } else {
            switch state {
            case .closed, .streaming:
                armed = nil
                return .cancel
            case .lingering:
                next = (.linger, lingerDeadline)
            case .handling:
                next = (.deadline, requestDeadline)
            case .readingBody:
                next = (.body, bodyDeadline)
            case .closing:
                // The last response is on its way: it gets the write timeout from the moment it was queued.
                next = (.write, writeProgress.advanced(by: configuration.writeTimeout))
            case .awaitingHead:
                if bufferedBytes > 0 || requestsServed == 0 {
                    next = (.header, headerDeadline)
                } else {
                    // Idle counts from the moment the connection fell idle: keep an armed idle timer.
                    if armed?.kind == .idle { return .keep }
                    next = (.idle, now.advanced(by: configuration.idleTimeout))
                }
            }
        }
        if let armed, armed.kind == next.kind, armed.deadline == next.deadline { return .keep }
        armed = next
        return .arm(next.kind, at: next.deadline)
    }

    /// The armed timer fired; nil when there is nothing left to do.
    mutating func timerFired(_ kind: Timeout, bufferedBytes: Int) -> TimeoutAction? {
        armed = nil
        guard state != .closed else { return nil }
        switch kind {
        case .idle, .linger:
            return .close(counted: nil)
        case .write:
            // The client stopped reading: nothing more can be said to it.
            return .close(counted: .timedOut)
        case .header:
            if bufferedBytes == 0 { return .close(counted: .timedOut) }
            return .answerAndClose(.requestTimeout, detail: "request head not received in time", counted: .timedOut)
        case .body:
            return .answerAndClose(.requestTimeout, detail: "request body not received in time", counted: .timedOut)
        case .deadline:
            // The handler is cancelled; its late answer is ignored (the state moves on).
            return .answerAndClose(.serviceUnavailable, detail: "request deadline exceeded", counted: .deadlineExceeded)
        }
    }
}
