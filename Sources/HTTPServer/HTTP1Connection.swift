import HTTPCodec
import IOCore

/// One HTTP/1.1 connection on one loop: reads and parses requests, runs them through the
/// pipeline one at a time (pipelined requests are answered in order), writes responses.
///
/// Registered edge-triggered once; `mayRead` tracks whether unread bytes may be waiting, so
/// no epoll_ctl is needed when the connection pauses reading. It holds a read buffer only
/// while request bytes are in flight and a write buffer only while a response is unsent.
///
/// Every method runs on the loop thread; `@unchecked Sendable` only lets handler Tasks
/// (which run on the same loop) carry a reference back here.
final class HTTP1Connection: IOEventHandler, @unchecked Sendable {
    enum Phase {
        /// Waiting for (the rest of) a request head; idle when no bytes are buffered.
        case awaitingHead
        /// Head parsed, body bytes still arriving.
        case readingBody
        /// The request is with the pipeline (an async handler is running).
        case handling
        /// A streamed response body is being produced.
        case streaming
        /// The last response is sent; discarding input until the client closes or a timer fires.
        case lingering
        case closed
    }

    /// The request being read or handled.
    struct InFlight {
        var head: RequestHead
        var base: Int
        var match: Router.Match
        var parameters: PathParameters
        var keepAlive: Bool
        var length = 0
    }

    let fd: Int32
    // unowned(unsafe): the ServerLoop owns this connection and outlives it; plain `unowned`
    // costs an atomic retain/release pair on every access (measured on the request path).
    unowned(unsafe) let serverLoop: ServerLoop
    var loop: EventLoop { serverLoop.loop }
    var registration: Registration?
    /// Position in the loop's connection list.
    var listIndex = -1
    var phase = Phase.awaitingHead
    /// Read buffer: bytes from `readerIndex` belong to the current request and any after it.
    var chunk: BufferChunk?
    var parser: HTTP1RequestParser
    var current: InFlight?
    var bodyDecoder: ChunkedBodyDecoder?
    var handlerTask: Task<Void, Never>?
    var outbound = Outbound()
    var writeWaiter: UnsafeContinuation<Void, any Error>?
    var timer: LoopTimer!
    var timeouts = TimeoutState()
    /// Edge-triggered reading: false once a read came back short or would block.
    var mayRead = true
    /// The client shut down its sending side (EOF or EPOLLRDHUP).
    var peerClosedWrite = false
    var isDraining = false
    var isDriving = false
    var closeAfterFlush = false
    var lingerAfterFlush = false
    var protocolChecked = false
    var requestsServed = 0

    init(fd: Int32, serverLoop: ServerLoop) {
        self.fd = fd
        self.serverLoop = serverLoop
        self.parser = HTTP1RequestParser(limits: serverLoop.configuration.limits)
        self.timer = LoopTimer(target: self)
    }

    /// Registers with the loop and waits for the first request.
    func start() throws(IOError) {
        registration = try loop.register(fd: fd, interest: .edgeTriggeredReadWrite, handler: self)
        // A new connection gets the header timeout for its first request, not the idle one.
        timeouts.headerDeadline = loop.now.advanced(by: serverLoop.configuration.headerTimeout)
        updateTimer()
    }

    func handleReadiness(_ readiness: Readiness) {
        guard phase != .closed else { return }
        if readiness.contains(.error) {
            close()
            return
        }
        if readiness.contains(.readable) || readiness.contains(.hangup) { mayRead = true }
        if readiness.contains(.readHangup) {
            mayRead = true
            peerClosedWrite = true
        }
        if readiness.contains(.writable) && outbound.hasPending {
            guard flush() else { return }
        }
        drive()
    }

    /// Makes all the progress possible without waiting: parse, read, answer, repeat.
    func drive() {
        guard !isDriving else { return }
        isDriving = true
        defer {
            isDriving = false
            if phase != .closed { updateTimer() }
        }
        while true {
            if outbound.hasPending { return }
            switch phase {
            case .handling, .streaming, .closed:
                return
            case .lingering:
                discardInput()
                return
            case .awaitingHead:
                if let chunk, chunk.readableBytes > 0, parseBufferedHead() { continue }
                if !readMore() { return }
            case .readingBody:
                if continueBody() { continue }
                if !readMore() { return }
            }
        }
    }

    /// Closes at once: the descriptor, timers, buffers; a running handler is cancelled.
    func close() {
        guard phase != .closed else { return }
        phase = .closed
        loop.timers.cancel(timer)
        if let registration { loop.deregister(fd: fd, registration: registration) }
        registration = nil
        Syscall.close(fd)
        handlerTask?.cancel()
        handlerTask = nil
        serverLoop.releaseLater(&chunk)
        outbound.release(into: serverLoop)
        writeWaiter?.resume(throwing: StreamClosedError())
        writeWaiter = nil
        serverLoop.remove(self)
    }

    /// Graceful shutdown: close now if idle, else after the current response.
    func beginDrain() {
        isDraining = true
        let idle = phase == .awaitingHead && (chunk?.readableBytes ?? 0) == 0 && !outbound.hasPending
        // A lingering connection has sent its last response; waiting for the client gains nothing now.
        if idle || phase == .lingering { close() }
    }

    /// Whether the connection may serve another request after the current one.
    func mayKeepAlive(_ head: RequestHead) -> Bool {
        let limit = serverLoop.configuration.maxRequestsPerConnection
        return head.keepAlive && !isDraining && !peerClosedWrite && (limit == 0 || requestsServed < limit)
    }
}
