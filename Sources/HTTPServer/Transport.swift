import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// The byte stream under a protocol connection: a plain socket now (`SocketTransport`),
/// TLS over a socket later. Protocols (HTTP/1.1, HTTP/2) only read, write and close through
/// it, so they do not know which one carries them.
///
/// Readiness is edge-triggered: the handler hears when bytes may have arrived or room may
/// have opened, and then reads or writes until `.wouldBlock`. Loop thread only.
protocol Transport: AnyObject {
    /// The scheme requests on this transport have (`https` once TLS carries them).
    var scheme: HTTPScheme { get }
    /// The application protocol TLS negotiated by ALPN ("h2", "http/1.1"); nil without TLS.
    var negotiatedProtocol: String? { get }
    /// Starts reporting readiness to `handler` on `loop`.
    func start(on loop: EventLoop, handler: any TransportHandler) throws(IOError)
    /// Reports readiness to another handler from now on (the protocol picked after the first bytes).
    func setHandler(_ handler: any TransportHandler)
    /// Reads into `buffer`; `.processed(0)` means the peer will send nothing more.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IOError) -> IOResult<Int>
    /// Writes the bytes of `vectors` in order; returns how many left.
    func writev(_ vectors: UnsafeBufferPointer<iovec>) throws(IOError) -> IOResult<Int>
    /// Ends our sending side once queued bytes are out (TCP FIN; TLS close_notify first).
    func shutdownWrite()
    /// Stops reporting readiness and releases the connection.
    func close()
}

/// Hears a transport's readiness: the protocol selector first, then the picked protocol.
protocol TransportHandler: AnyObject {
    func transportReady(_ readiness: Readiness)
}
