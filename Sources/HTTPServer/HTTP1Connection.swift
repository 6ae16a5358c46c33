import HTTPCodec
import IOCore

/// One HTTP/1.1 connection on one loop: reads and parses requests, runs them through the
/// pipeline one at a time (pipelined requests are answered in order), writes responses.
///
/// What to do next is decided by `machine` (`HTTP1ConnectionStateMachine`); this class does
/// the I/O and buffer work it asks for. It reads and writes through a `Transport`, which
/// reports readiness edge-triggered, so no epoll_ctl is needed when it pauses reading. It
/// holds a read buffer only while request bytes are in flight and a write buffer only while
/// a response is unsent.
///
/// Every method runs on the loop thread; `@unchecked Sendable` only lets handler Tasks
/// (which run on the same loop) carry a reference back here.
final class HTTP1Connection: ProtocolConnection, @unchecked Sendable {
    /// The request being read or handled.
    struct InFlight {
        var head: RequestHead
        var base: Int
        var match: Router.Match
        var parameters: PathParameters
        var length = 0
    }

    let transport: any Transport
    // unowned(unsafe): the ServerLoop owns this connection and outlives it; plain `unowned`
    // costs an atomic retain/release pair on every access (measured on the request path).
    unowned(unsafe) let serverLoop: ServerLoop
    var loop: EventLoop { serverLoop.loop }
    var registryIndex = -1
    var machine: HTTP1ConnectionStateMachine
    /// Read buffer: bytes from `readerIndex` belong to the current request and any after it.
    var chunk: BufferChunk?
    var parser: HTTP1RequestParser
    var current: InFlight?
    var bodyDecoder: ChunkedBodyDecoder?
    var handlerTask: Task<Void, Never>?
    var outbound = Outbound()
    var writeWaiter: UnsafeContinuation<Void, any Error>?
    var timer: LoopTimer!
    /// Whether the streamed body being sent uses chunked coding (HTTP/1.0: it ends with the connection).
    var streamIsChunked = false
    /// Sent after a streamed body: the response's, or what its producer set at the end.
    var streamTrailers = ResponseTrailers()
    /// Re-entrancy guard: a handler completing inside `drive` must not start another drive.
    var isDriving = false

    /// A connection whose first bytes (`initialBytes`) the protocol selector has read.
    init(transport: any Transport, serverLoop: ServerLoop, initialBytes: BufferChunk?, mayRead: Bool, peerClosedWrite: Bool) {
        self.transport = transport
        self.serverLoop = serverLoop
        self.parser = HTTP1RequestParser(limits: serverLoop.configuration.limits)
        self.machine = HTTP1ConnectionStateMachine(
            configuration: serverLoop.http1Configuration, now: serverLoop.loop.now, mayRead: mayRead,
            peerClosedWrite: peerClosedWrite
        )
        self.chunk = initialBytes
        self.timer = LoopTimer(target: self)
    }

    var bufferedBytes: Int { chunk?.readableBytes ?? 0 }

    func start() {
        drive()
    }

    func transportReady(_ readiness: Readiness) {
        guard machine.readinessReported(readiness) else {
            close()
            return
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
            if machine.state != .closed { updateTimer() }
        }
        while true {
            switch machine.nextStep(bufferedBytes: bufferedBytes, pendingOutput: outbound.hasPending) {
            case .wait:
                return
            case .parseHead:
                parseBufferedHead()
            case .continueBody:
                continueBody()
            case .read:
                readMore()
            case .discardInput:
                discardInput()
            }
        }
    }

    /// Closes at once: the transport, timers, buffers; a running handler is cancelled.
    func close() {
        guard machine.closed() else { return }
        loop.timers.cancel(timer)
        transport.close()
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
        if machine.drainRequested(bufferedBytes: bufferedBytes, pendingOutput: outbound.hasPending) { close() }
    }
}
