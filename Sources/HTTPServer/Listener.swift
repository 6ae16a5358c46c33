import IOCore
import Logging

/// A listening socket on one loop. With SO_REUSEPORT every loop has its own and the
/// kernel spreads new connections; without, loop 0 accepts and deals them out in turn.
final class Listener: IOEventHandler {
    let fd: Int32
    private unowned let serverLoop: ServerLoop
    private let distribute: ((Int32) -> Void)?
    private var registration: Registration?
    /// Accepts per readiness event, so a connection storm cannot starve requests in flight.
    private static let acceptBatch = 64

    /// `distribute`, when given, receives each accepted descriptor instead of this loop.
    init(fd: Int32, serverLoop: ServerLoop, distribute: ((Int32) -> Void)? = nil) {
        self.fd = fd
        self.serverLoop = serverLoop
        self.distribute = distribute
    }

    func start() throws(IOError) {
        registration = try serverLoop.loop.register(fd: fd, interest: .levelTriggeredRead, handler: self)
    }

    func handleReadiness(_ readiness: Readiness) {
        for _ in 0..<Self.acceptBatch {
            do {
                switch try Syscall.accept(fd) {
                case .processed(let connection):
                    if let distribute { distribute(connection) } else { serverLoop.adopt(fd: connection) }
                case .wouldBlock:
                    return
                }
            } catch let error where error.errno == EMFILE || error.errno == ENFILE {
                // Out of descriptors: readiness would fire again at once, so stop watching the
                // socket for a moment instead of spinning (the queue waits in the kernel).
                serverLoop.logger.error("accept: out of file descriptors, pausing accepts", metadata: ["error": "\(error)"])
                pause(for: .milliseconds(100))
                return
            } catch {
                // ECONNABORTED and friends concern one connection only.
                if !error.isConnectionLost {
                    serverLoop.logger.warning("accept failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    private func pause(for delay: Duration) {
        guard let registration else { return }
        serverLoop.loop.deregister(fd: fd, registration: registration)
        self.registration = nil
        serverLoop.loop.scheduleOnce(after: delay) { [weak self] in self?.resume(retryingAfter: delay) }
    }

    /// Watches the socket again after a pause; if that fails, says so and tries again later,
    /// so the listener never goes deaf in silence.
    private func resume(retryingAfter delay: Duration) {
        guard !isClosed, registration == nil else { return }
        do {
            try start()
            serverLoop.logger.notice("accept: resumed accepting connections")
        } catch {
            serverLoop.logger.error(
                "accept: could not watch the listening socket again, retrying",
                metadata: ["error": "\(error)", "retryIn": "\(delay)"]
            )
            serverLoop.loop.scheduleOnce(after: delay) { [weak self] in self?.resume(retryingAfter: delay) }
        }
    }

    private var isClosed = false

    func close() {
        isClosed = true
        if let registration { serverLoop.loop.deregister(fd: fd, registration: registration) }
        registration = nil
        Syscall.close(fd)
    }
}

#if canImport(Glibc)
import Glibc
#endif
