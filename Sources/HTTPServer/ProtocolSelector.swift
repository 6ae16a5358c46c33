import HTTPCodec
import IOCore

/// The first stop of every accepted connection: reads its first bytes and picks the protocol
/// that serves it. This is the one path from socket to protocol:
///
///     Listener → ServerLoop.adopt(fd:) → SocketTransport (TLS later) → ProtocolSelector
///         → ALPN "h2", or the HTTP/2 preface → HTTP2ConnectionFactory (HTTP/2 is issue 14)
///         → anything else                    → HTTP1Connection
///
/// Until it has picked, the selector is the loop's connection: counted against
/// `maxConnections`, under the header timeout, closed by a drain (nothing was asked yet).
/// Afterwards the picked connection takes its place in the registry and its transport.
final class ProtocolSelector: ServerConnection, TransportHandler, TimerTarget {
    let transport: any Transport
    // unowned(unsafe): the ServerLoop owns this connection and outlives it.
    unowned(unsafe) let serverLoop: ServerLoop
    var registryIndex = -1
    private var loop: EventLoop { serverLoop.loop }
    private var chunk: BufferChunk?
    private var timer: LoopTimer!
    /// Edge-triggered reading: false once a read came back short or would block.
    private var mayRead = true
    private var peerClosedWrite = false
    private var isFinished = false

    init(transport: any Transport, serverLoop: ServerLoop) {
        self.transport = transport
        self.serverLoop = serverLoop
        self.timer = LoopTimer(target: self)
    }

    func start() throws(IOError) {
        try transport.start(on: loop, handler: self)
        // A new connection gets the header timeout for its first request, not the idle one.
        loop.timers.schedule(timer, at: loop.now.advanced(by: serverLoop.configuration.headerTimeout))
        if transport.negotiatedProtocol == "h2" { pick(http2: true) }
    }

    func transportReady(_ readiness: Readiness) {
        guard !isFinished else { return }
        if readiness.contains(.error) {
            close()
            return
        }
        if readiness.contains(.readable) || readiness.contains(.hangup) { mayRead = true }
        if readiness.contains(.readHangup) {
            mayRead = true
            peerClosedWrite = true
        }
        while mayRead && !isFinished {
            if chunk == nil { chunk = loop.buffers.take() }
            let buffer = chunk!
            let space = buffer.writableBytes
            do {
                switch try transport.read(into: buffer.writable) {
                case .processed(0):
                    // Gone before asking anything: nobody to answer.
                    close()
                case .processed(let count):
                    buffer.writerIndex += count
                    // A short read drained the socket; edge-triggered epoll reports the next arrival.
                    if count < space { mayRead = false }
                    switch HTTP2Preface.match(buffer.readable) {
                    case .undecided: continue
                    case .http2: pick(http2: true)
                    case .http1: pick(http2: false)
                    }
                case .wouldBlock:
                    mayRead = false
                    if buffer.readableBytes == 0 { serverLoop.releaseLater(&chunk) }
                }
            } catch {
                close()
            }
        }
    }

    /// Hands the transport and the bytes read so far to the protocol's connection.
    private func pick(http2: Bool) {
        isFinished = true
        loop.timers.cancel(timer)
        let bytes = chunk.take() ?? loop.buffers.take()
        let connection: any ProtocolConnection
        if http2, let factory = serverLoop.http2 {
            connection = factory.makeConnection(transport: transport, initialBytes: bytes, serverLoop: serverLoop)
        } else {
            // Without HTTP/2 the preface is an HTTP/1.1 request like any other (and refused as one).
            connection = HTTP1Connection(
                transport: transport, serverLoop: serverLoop, initialBytes: bytes, mayRead: mayRead,
                peerClosedWrite: peerClosedWrite
            )
        }
        serverLoop.replace(self, with: connection)
        transport.setHandler(connection)
        connection.start()
    }

    func beginDrain() {
        close()
    }

    func close() {
        guard !isFinished else { return }
        isFinished = true
        loop.timers.cancel(timer)
        serverLoop.releaseLater(&chunk)
        transport.close()
        serverLoop.remove(self)
    }

    func timerFired(_ timer: LoopTimer) {
        guard !isFinished else { return }
        // The header timeout of a connection that has not said which protocol it speaks.
        serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.timedOutIndex)
        close()
    }
}

/// A connection serving one protocol over a transport the selector hands it.
protocol ProtocolConnection: ServerConnection, TransportHandler {
    /// Begins serving, with the bytes the selector read already in its hands.
    func start()
}

/// Makes the connection for a transport that opened with the HTTP/2 preface (prior knowledge)
/// or negotiated h2 by ALPN (HTTP/2 itself is issue 14). It gets the transport and the
/// bytes read so far (its to return to the pool), and serves requests through the same
/// `RequestPipeline`, building `Request`s from `HTTPRequestHead`s, so handlers cannot tell
/// the protocols apart. `ServerLoop` counts, drains and closes what it returns.
protocol HTTP2ConnectionFactory: Sendable {
    func makeConnection(transport: any Transport, initialBytes: BufferChunk, serverLoop: ServerLoop) -> any ProtocolConnection
}
