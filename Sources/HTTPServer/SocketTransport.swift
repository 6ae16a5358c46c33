import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// A transport over an accepted TCP socket: registered with the loop once, edge-triggered,
/// never modified; readiness goes to whichever handler serves the connection now.
final class SocketTransport: Transport, IOEventHandler {
    let fd: Int32
    private var loop: EventLoop?
    private var registration: Registration?
    // unowned(unsafe): the handler is the connection that owns this transport, and it closes
    // (deregisters) the transport before it goes; `unowned` would cost atomics per event.
    private unowned(unsafe) var handler: (any TransportHandler)?
    private var isClosed = false

    init(fd: Int32) {
        self.fd = fd
    }

    var scheme: HTTPScheme { .http }
    var negotiatedProtocol: String? { nil }

    func start(on loop: EventLoop, handler: any TransportHandler) throws(IOError) {
        self.handler = handler
        self.loop = loop
        registration = try loop.register(fd: fd, interest: .edgeTriggeredReadWrite, handler: self)
    }

    func setHandler(_ handler: any TransportHandler) {
        self.handler = handler
    }

    func handleReadiness(_ readiness: Readiness) {
        handler?.transportReady(readiness)
    }

    @inline(__always)
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int> {
        try Syscall.read(fd, into: buffer)
    }

    @inline(__always)
    func writev(_ vectors: UnsafeBufferPointer<iovec>) throws(IOError) -> IOResult<Int> {
        try Syscall.writev(fd, vectors)
    }

    func shutdownWrite() {
        Syscall.shutdownWrite(fd)
    }

    /// Closes once: a second close would close whatever descriptor took this number meanwhile.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if let registration, let loop { loop.deregister(fd: fd, registration: registration) }
        registration = nil
        handler = nil
        Syscall.close(fd)
    }
}
