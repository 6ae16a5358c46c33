import IOCore

/// One connection the driver sends requests over. HTTP/1.1 (`HTTP1LoadConnection`) is the
/// only kind now; HTTP/2 and the RPC API join behind this protocol (several exchanges per
/// connection: `capacity` > 1).
///
/// Loop thread only. The connection calls its owner back exactly once per exchange.
protocol LoadConnection: AnyObject {
    /// Exchanges it can carry at once.
    var capacity: Int { get }
    /// Exchanges in flight on it.
    var active: Int { get }
    /// Whether it can take another exchange later (not closed).
    var isOpen: Bool { get }
    /// Which target pool it belongs to.
    var target: Int { get }
    /// The connection's own request buffer, emptied: the driver renders the next request into
    /// it. Kept for the connection's life, so sending takes nothing from the pool.
    var requestBuffer: BufferChunk { get }
    /// Sends what was rendered into `requestBuffer` (or `oversized`, taken over, when the
    /// request did not fit) for `iteration`; fails it as a timeout at `iteration.deadline`.
    func send(for iteration: Iteration, oversized: BufferChunk?)
    /// Closes at once; exchanges in flight are dropped without a callback (the run is over).
    func close()
}

/// What a connection reports to the driver.
protocol LoadConnectionOwner: AnyObject {
    /// A whole answer; `response` views are valid only during the call.
    func exchangeCompleted(on connection: any LoadConnection, iteration: Iteration, response: LoadResponse)
    /// No answer. `stale`: a reused connection failed before any byte of the answer (the
    /// server probably closed it while idle), so the request may be retried once.
    func exchangeFailed(on connection: any LoadConnection, iteration: Iteration, kind: TransportErrorKind, stale: Bool)
    /// The connection closed (after a failure, a `Connection: close`, or while idle).
    func connectionClosed(_ connection: any LoadConnection)
}

/// Makes connections to one endpoint: the seam where HTTP/2 or the RPC API would plug in.
protocol LoadTransport {
    func makeConnection(loop: EventLoop, target: Int, address: SocketAddress, owner: any LoadConnectionOwner) -> any LoadConnection
}

/// HTTP/1.1 keep-alive, one request at a time per connection.
struct HTTP1Transport: LoadTransport {
    func makeConnection(loop: EventLoop, target: Int, address: SocketAddress, owner: any LoadConnectionOwner) -> any LoadConnection {
        HTTP1LoadConnection(loop: loop, target: target, address: address, owner: owner)
    }
}
