import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// One client connection on one loop: connects without blocking, sends one request at a
/// time, reads the response with an `HTTP1ResponseReader`, and goes back to its client's idle
/// list when both sides allow reuse.
///
/// Registered edge-triggered once. Every method runs on the loop thread; the waiting task
/// is resumed from readiness callbacks or the timer, exactly once per exchange.
final class HTTPClientConnection: IOEventHandler, TimerTarget, @unchecked Sendable {
    enum Phase {
        case connecting, writing, reading, idle, closed
    }

    /// The request in flight and what is known of its answer.
    struct Exchange {
        let id: Int
        let continuation: UnsafeContinuation<HTTPClientResponse, any Error>
        let method: HTTPMethod
        let requestAsksToClose: Bool
    }

    let loop: EventLoop
    let originKey: String
    let limits: HTTP1Limits
    weak var client: HTTPClient?
    private(set) var fd: Int32 = -1
    private var registration: Registration?
    private(set) var phase = Phase.connecting
    private var exchange: Exchange?
    private var exchangeCounter = 0
    private lazy var timer = LoopTimer(target: self)
    private var writeChunk: BufferChunk?
    private let reader: HTTP1ResponseReader
    /// Completed exchanges: a failure before any answer on a reused connection may be a
    /// server that closed it while idle.
    private(set) var exchangesCompleted = 0

    init(loop: EventLoop, originKey: String, limits: HTTP1Limits, client: HTTPClient) {
        self.loop = loop
        self.originKey = originKey
        self.limits = limits
        self.client = client
        self.reader = HTTP1ResponseReader(limits: limits)
    }

    /// Whether the connection was used before: its failures may be stale keep-alive closes.
    var isReused: Bool { exchangesCompleted > 0 }

    /// Reserves the id the next exchange will have (for a cancellation handler set up first).
    func nextExchangeID() -> Int {
        exchangeCounter + 1
    }

    // MARK: - Starting an exchange

    /// Starts sending `request`; the continuation is resumed once with the response or an
    /// error. On a new connection (`address` given) it connects first.
    func begin(
        _ request: HTTPClientRequest,
        host: String,
        address: SocketAddress?,
        deadline: LoopInstant,
        continuation: UnsafeContinuation<HTTPClientResponse, any Error>
    ) {
        loop.preconditionInEventLoop()
        exchangeCounter += 1
        reader.start(requestMethod: request.method)
        exchange = Exchange(
            id: exchangeCounter,
            continuation: continuation,
            method: request.method,
            requestAsksToClose: RequestEncoder.asksToClose(request)
        )
        loop.timers.schedule(timer, at: deadline)
        let size = RequestEncoder.encodedSize(request, host: host)
        let chunk = size <= loop.buffers.chunkSize ? loop.buffers.take() : BufferChunk(unpooledCapacity: size)
        RequestEncoder.encode(request, host: host, into: chunk)
        writeChunk = chunk
        if let address {
            connect(to: address)
        } else {
            phase = .writing
            flush()
        }
    }

    private func connect(to address: SocketAddress) {
        phase = .connecting
        let result: IOResult<Void>
        do {
            let started = try Socket.connect(to: address)
            fd = started.fd
            result = started.result
        } catch {
            fail(Self.connectError(error.errno, address: address))
            return
        }
        do {
            registration = try loop.register(fd: fd, interest: .edgeTriggeredReadWrite, handler: self)
        } catch {
            fail(.socket("\(error)"))
            return
        }
        if case .processed = result { connected() }
    }

    private func connected() {
        try? Socket.setNoDelay(fd)
        phase = .writing
        flush()
    }

    // MARK: - Readiness

    func handleReadiness(_ readiness: Readiness) {
        switch phase {
        case .connecting:
            guard readiness.contains(.writable) || readiness.contains(.error) || readiness.contains(.hangup) else { return }
            let error = Socket.pendingError(fd)
            if error == 0 {
                connected()
            } else {
                fail(Self.connectError(error, address: nil))
            }
        case .writing:
            if readiness.contains(.writable) || readiness.contains(.error) || readiness.contains(.hangup) { flush() }
        case .reading:
            readAvailable()
        case .idle:
            // Nothing is expected while idle: either the server closed, or it sent garbage.
            checkIdle()
        case .closed:
            break
        }
    }

    func timerFired(_ timer: LoopTimer) {
        switch phase {
        case .idle:
            close()
        case .connecting, .writing, .reading:
            fail(.timeout)
        case .closed:
            break
        }
    }

    // MARK: - Writing

    private func flush() {
        guard let chunk = writeChunk else { return }
        while chunk.readableBytes > 0 {
            do {
                switch try Syscall.write(fd, chunk.readable) {
                case .processed(let count):
                    chunk.readerIndex += count
                case .wouldBlock:
                    return  // the writable edge brings us back
                }
            } catch {
                failTransfer(error)
                return
            }
        }
        loop.buffers.give(&writeChunk)
        phase = .reading
        readAvailable()
    }

    // MARK: - Reading

    /// Reads until the socket would block, the response is complete, or it failed.
    private func readAvailable() {
        guard phase == .reading else { return }
        switch reader.read(from: fd, loop: loop) {
        case .wouldBlock:
            return
        case .complete(let response):
            complete(response)
        case .failed(.transfer(let error)):
            failTransfer(error)
        case .failed(.response(.truncated)):
            failExchange(.connectionClosed, stale: !reader.receivedAny && isReused)
        case .failed(.response(.tooLarge)):
            fail(.responseTooLarge)
        case .failed(.response(.invalid(let error))):
            fail(.invalidResponse(error.reason.description))
        }
    }

    private func checkIdle() {
        var probe: UInt8 = 0
        let outcome = withUnsafeMutableBytes(of: &probe) { buffer in try? Syscall.read(fd, into: buffer) }
        if case .wouldBlock? = outcome { return }
        // EOF, an error, or bytes nobody asked for: this connection cannot be reused.
        close()
    }

    // MARK: - Finishing

    private func complete(_ received: HTTP1ReceivedResponse) {
        guard let current = exchange else { return }
        let bytes = received.bytes
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(received.headers.count)
        for entry in received.headers {
            headers.append((Self.string(bytes, entry.name), Self.string(bytes, entry.value)))
        }
        let response = HTTPClientResponse(status: received.head.status, headers: headers, body: Array(received.bodyBytes))
        let reusable = received.allowsReuse && !current.requestAsksToClose
        exchange = nil
        exchangesCompleted += 1
        loop.timers.cancel(timer)
        reader.releaseBuffer(to: loop)
        if reusable, let client {
            phase = .idle
            loop.timers.schedule(timer, at: loop.now.advanced(by: client.configuration.idleTimeout))
            client.release(self)
        } else {
            close()
        }
        current.continuation.resume(returning: response)
    }

    /// Ends the exchange with `error` and closes the connection. `stale`: a reused
    /// connection failed before any answer, so the caller may retry on a new one.
    private func failExchange(_ error: HTTPClientError, stale: Bool) {
        let current = exchange
        exchange = nil
        close()
        if stale {
            current?.continuation.resume(throwing: StaleConnection(underlying: error))
        } else {
            current?.continuation.resume(throwing: error)
        }
    }

    /// Cancels exchange `id` if it is still the one in flight.
    func cancel(exchange id: Int) {
        guard let current = exchange, current.id == id else { return }
        exchange = nil
        close()
        current.continuation.resume(throwing: CancellationError())
    }

    /// Closes at once and leaves the client's idle list; an exchange in flight must have
    /// been taken out before (see `fail`).
    func close() {
        guard phase != .closed else { return }
        let wasIdle = phase == .idle
        phase = .closed
        loop.timers.cancel(timer)
        if let registration { loop.deregister(fd: fd, registration: registration) }
        registration = nil
        if fd >= 0 { Syscall.close(fd) }
        reader.releaseBuffer(to: loop)
        loop.buffers.give(&writeChunk)
        if wasIdle { client?.forget(self) }
        if let current = exchange {
            exchange = nil
            current.continuation.resume(throwing: HTTPClientError.connectionClosed)
        }
    }

    // MARK: - Errors

    /// A read or write failed: reset or broken pipe, or another socket error.
    private func failTransfer(_ error: IOError) {
        failExchange(error.isConnectionLost ? .connectionReset : .socket(error.description), stale: !reader.receivedAny && isReused)
    }

    private func fail(_ error: HTTPClientError) {
        failExchange(error, stale: false)
    }

    static func connectError(_ errno: Int32, address: SocketAddress?) -> HTTPClientError {
        let place = address.map { " to \($0)" } ?? ""
        switch errno {
        case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL:
            return .connectionRefused("\(String(cString: strerror(errno)))\(place)")
        case ETIMEDOUT:
            return .timeout
        default:
            return .socket("connect\(place): \(String(cString: strerror(errno)))")
        }
    }

    private static func string(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[Int(range.start)..<range.end]), as: UTF8.self)
    }
}

/// A reused connection failed before any byte of the answer: the server probably closed it
/// while it was idle. The client retries such requests once on a new connection.
struct StaleConnection: Error {
    let underlying: HTTPClientError
}
