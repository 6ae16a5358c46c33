import HTTPClient
import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 keep-alive connection of the load generator: one request at a time, a
/// response reader (buffer and header table) kept for its whole life, callbacks instead of tasks.
///
/// Registered edge-triggered once. After a request is written it waits for the read edge
/// instead of trying a read that would block (one syscall less per request); a complete
/// answer ends reading without a further read, and a hang-up seen alongside it retires the
/// connection. Loop thread only.
final class HTTP1LoadConnection: LoadConnection, IOEventHandler, TimerTarget {
    enum Phase {
        case fresh, connecting, writing, reading, idle, closed
    }

    let loop: EventLoop
    let target: Int
    let address: SocketAddress
    unowned let owner: any LoadConnectionOwner
    let capacity = 1
    private(set) var phase = Phase.fresh
    private var fd: Int32 = -1
    private var registration: Registration?
    private var iteration: Iteration?
    /// The chunk being written: `requestChunk`, or an oversized one.
    private var writeChunk: BufferChunk?
    private var requestChunk: BufferChunk?
    private let reader: HTTP1ResponseReader
    private var timer: LoopTimer!
    private var exchanges = 0
    private var peerHungUp = false

    init(loop: EventLoop, target: Int, address: SocketAddress, owner: any LoadConnectionOwner) {
        self.loop = loop
        self.target = target
        self.address = address
        self.owner = owner
        var limits = HTTP1Limits()
        limits.maxBodyBytes = 16 * 1024 * 1024
        limits.maxHeaderBytes = 64 * 1024
        self.reader = HTTP1ResponseReader(limits: limits)
        timer = LoopTimer(target: self)
    }

    var active: Int { iteration == nil ? 0 : 1 }

    var isOpen: Bool { phase != .closed }

    // MARK: - Sending

    var requestBuffer: BufferChunk {
        if let requestChunk {
            requestChunk.clear()
            return requestChunk
        }
        let chunk = loop.buffers.take()
        requestChunk = chunk
        return chunk
    }

    func send(for iteration: Iteration, oversized: BufferChunk?) {
        precondition(self.iteration == nil && phase != .closed, "one exchange at a time")
        self.iteration = iteration
        writeChunk = oversized ?? requestChunk
        reader.start(requestMethod: iteration.method)
        loop.timers.schedule(timer, at: LoopInstant(nanoseconds: iteration.deadline))
        switch phase {
        case .fresh:
            connect()
        case .idle:
            phase = .writing
            flush()
        default:
            preconditionFailure("send in phase \(phase)")
        }
    }

    private func connect() {
        phase = .connecting
        let started: (fd: Int32, result: IOResult<Void>)
        do {
            started = try Socket.connect(to: address)
        } catch {
            fail(.connect, stale: false)
            return
        }
        fd = started.fd
        do {
            registration = try loop.register(fd: fd, interest: .edgeTriggeredReadWrite, handler: self)
        } catch {
            fail(.connect, stale: false)
            return
        }
        if case .processed = started.result { connected() }
    }

    private func connected() {
        try? Socket.setNoDelay(fd)
        phase = .writing
        flush()
    }

    private func flush() {
        guard let chunk = writeChunk else { return }
        // Written through raw pointers without giving the chunk back: it is this connection's
        // request buffer (or an oversized one dropped below).
        while chunk.readableBytes > 0 {
            let written = Glibc.send(fd, chunk.base + chunk.readerIndex, chunk.readableBytes, Int32(MSG_NOSIGNAL))
            if written >= 0 {
                chunk.readerIndex += written
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return  // the writable edge brings us back
            default:
                fail(.reset, stale: exchanges > 0)
                return
            }
        }
        writeChunk = nil
        phase = .reading
    }

    // MARK: - Readiness

    func handleReadiness(_ readiness: Readiness) {
        if readiness.contains(.readHangup) || readiness.contains(.hangup) { peerHungUp = true }
        switch phase {
        case .connecting:
            guard readiness.contains(.writable) || readiness.contains(.error) || readiness.contains(.hangup) else { return }
            if Socket.pendingError(fd) == 0 {
                peerHungUp = false
                connected()
            } else {
                fail(.connect, stale: false)
            }
        case .writing:
            flush()
            if phase == .reading, readiness.contains(.readable) { readAvailable() }
        case .reading:
            readAvailable()
        case .idle:
            if peerHungUp || readiness.contains(.readable) || readiness.contains(.error) { close() }
        case .fresh, .closed:
            break
        }
    }

    func timerFired(_ timer: LoopTimer) {
        guard iteration != nil else { return }
        fail(.timeout, stale: false)
    }

    // MARK: - Reading

    private func readAvailable() {
        guard phase == .reading else { return }
        switch reader.read(from: fd, loop: loop) {
        case .wouldBlock:
            return
        case .complete(let response):
            complete(response)
        case .failed(.transfer), .failed(.response(.truncated)):
            fail(.reset, stale: !reader.receivedAny && exchanges > 0)
        case .failed(.response(.invalid)), .failed(.response(.tooLarge)):
            fail(.invalidResponse, stale: false)
        }
    }

    // MARK: - Finishing

    private func complete(_ received: HTTP1ReceivedResponse) {
        guard let current = iteration else { return }
        iteration = nil
        exchanges += 1
        loop.timers.cancel(timer)
        if received.allowsReuse && !peerHungUp {
            phase = .idle
        } else {
            close()
        }
        let response = LoadResponse(
            status: received.head.status, bytes: received.bytes, headers: received.headers, body: received.body
        )
        // `received` keeps its buffer alive while the owner reads the views, even if closed.
        withExtendedLifetime(received) { owner.exchangeCompleted(on: self, iteration: current, response: response) }
    }

    private func fail(_ kind: TransportErrorKind, stale: Bool) {
        let current = iteration
        iteration = nil
        close()
        if let current { owner.exchangeFailed(on: self, iteration: current, kind: kind, stale: stale) }
    }

    func close() {
        guard phase != .closed else { return }
        phase = .closed
        loop.timers.cancel(timer)
        if let registration { loop.deregister(fd: fd, registration: registration) }
        registration = nil
        if fd >= 0 { Syscall.close(fd) }
        fd = -1
        iteration = nil
        writeChunk = nil
        loop.buffers.give(&requestChunk)
        reader.releaseBuffer(to: loop)
        owner.connectionClosed(self)
    }
}
