/// A connection the server owns on one loop, whatever protocol it speaks (a connection whose
/// protocol is still being picked, HTTP/1.1, HTTP/2): `ServerLoop` counts every one against
/// `maxConnections`, reports it in the open-connection figures, and drains or closes it
/// at shutdown. Loop thread only.
///
/// A conforming connection calls `ServerLoop.remove(_:)` when it closes.
protocol ServerConnection: AnyObject {
    /// Position in the loop's registry; -1 when not registered.
    var registryIndex: Int { get set }
    /// Graceful shutdown: close now if idle, else after what is in flight (HTTP/2: GOAWAY).
    func beginDrain()
    /// Closes at once.
    func close()
}
