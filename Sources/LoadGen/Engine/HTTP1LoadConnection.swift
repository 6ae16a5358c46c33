import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// An HTTP/1.1 keep-alive connection of the load generator: one request at a time, a
/// read buffer and header table kept for its whole life, callbacks instead of tasks.
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
    private var readChunk: BufferChunk?
    private var parser: HTTP1ResponseParser
    private var head: ResponseHead?
    private var decoder: ChunkedBodyDecoder?
    private let limits: HTTP1Limits
    private let headerTable: UnsafeMutableBufferPointer<HeaderEntry>
    private var timer: LoopTimer!
    private var exchanges = 0
    private var receivedAny = false
    private var peerHungUp = false

    init(loop: EventLoop, target: Int, address: SocketAddress, owner: any LoadConnectionOwner) {
        self.loop = loop
        self.target = target
        self.address = address
        self.owner = owner
        var limits = HTTP1Limits()
        limits.maxBodyBytes = 16 * 1024 * 1024
        limits.maxHeaderBytes = 64 * 1024
        self.limits = limits
        self.parser = HTTP1ResponseParser(limits: limits)
        self.headerTable = .allocate(capacity: limits.maxHeaderCount)
        headerTable.initialize(repeating: HeaderEntry(name: .empty, value: .empty))
        timer = LoopTimer(target: self)
    }

    deinit {
        headerTable.deallocate()
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
        parser.reset(requestMethod: iteration.method)
        head = nil
        decoder = nil
        receivedAny = false
        readChunk?.clear()
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
        while phase == .reading {
            if readChunk == nil { readChunk = loop.buffers.take() }
            let chunk = readChunk!
            if chunk.writableBytes == 0 {
                guard grow() else { return }
            }
            let count = Glibc.read(fd, chunk.base + chunk.writerIndex, chunk.writableBytes)
            if count > 0 {
                receivedAny = true
                chunk.writerIndex += count
                process()
            } else if count == 0 {
                endOfInput()
                return
            } else {
                switch errno {
                case EINTR: continue
                case EAGAIN, EWOULDBLOCK: return
                default:
                    fail(.reset, stale: !receivedAny && exchanges > 0)
                    return
                }
            }
        }
    }

    /// Moves the answer into a larger unpooled chunk; false (and failed) beyond the limits.
    private func grow(to wanted: Int = 0) -> Bool {
        let old = readChunk!
        let ceiling = limits.maxHeadBytes + limits.maxBodyBytes + 64 * 1024
        guard old.capacity < ceiling else {
            fail(.invalidResponse, stale: false)
            return false
        }
        let bigger = BufferChunk(unpooledCapacity: min(ceiling, max(wanted, old.capacity * 2)))
        bigger.append(old.readable)
        var previous: BufferChunk? = old
        readChunk = bigger
        loop.buffers.give(&previous)
        return true
    }

    private func process() {
        let chunk = readChunk!
        if head == nil {
            switch parser.parseHead(chunk.readable, headers: headerTable) {
            case .needMore:
                return
            case .failed:
                fail(.invalidResponse, stale: false)
                return
            case .complete(let parsed):
                head = parsed
                switch parsed.framing {
                case .chunked:
                    decoder = ChunkedBodyDecoder(bodyStart: parsed.length, limits: limits)
                case .contentLength(let length) where parsed.length + length > chunk.capacity:
                    guard grow(to: parsed.length + length) else { return }
                default:
                    break
                }
            }
        }
        let head = head!
        let buffer = readChunk!
        switch head.framing {
        case .none:
            complete(head: head, body: ByteRange(start: head.length, count: 0), end: head.length)
        case .contentLength(let length):
            if buffer.readableBytes >= head.length + length {
                complete(head: head, body: ByteRange(start: head.length, count: length), end: head.length + length)
            }
        case .chunked:
            switch decoder!.decode(UnsafeMutableRawBufferPointer(start: buffer.base, count: buffer.writerIndex)) {
            case .needMore:
                buffer.writerIndex = decoder!.discardConsumedInput()
            case .complete(let end):
                complete(head: head, body: decoder!.decodedBody, end: end)
            case .failed:
                fail(.invalidResponse, stale: false)
            }
        case .untilClose:
            if buffer.readableBytes - head.length > limits.maxBodyBytes { fail(.invalidResponse, stale: false) }
        }
    }

    private func endOfInput() {
        if let head, head.framing == .untilClose, let chunk = readChunk {
            complete(head: head, body: ByteRange(start: head.length, count: chunk.writerIndex - head.length), end: chunk.writerIndex, closing: true)
            return
        }
        fail(.reset, stale: !receivedAny && exchanges > 0)
    }

    // MARK: - Finishing

    private func complete(head: ResponseHead, body: ByteRange, end: Int, closing: Bool = false) {
        guard let current = iteration, let chunk = readChunk else { return }
        iteration = nil
        exchanges += 1
        loop.timers.cancel(timer)
        // Bytes beyond the answer were never asked for: the framing is not to be trusted.
        let reusable = !closing && !peerHungUp && head.keepAlive && chunk.writerIndex == end
        if reusable {
            phase = .idle
        } else {
            close()
        }
        // The chunk stays alive (our reference) while the owner reads the views, even if closed.
        let response = LoadResponse(
            status: head.status, bytes: UnsafeRawBufferPointer(start: chunk.base, count: chunk.writerIndex),
            headers: UnsafeBufferPointer(rebasing: headerTable[0..<head.headerCount]), body: body
        )
        owner.exchangeCompleted(on: self, iteration: current, response: response)
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
        loop.buffers.give(&readChunk)
        owner.connectionClosed(self)
    }
}
