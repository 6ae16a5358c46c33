import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP server on 127.0.0.1 that runs a script per accepted connection on a
/// thread of its own: for answers our HTTPServer would never give (stalls, resets, cut-off
/// bodies, hand-written framing). Counts the connections it accepted.
package final class RawServer: Sendable {
    package let port: Int
    private let fd: Int32
    private let acceptedCount = AcceptCounter()
    /// Signalled when the accept thread has returned: only then may the descriptor be closed.
    private let acceptThreadDone = DispatchSemaphore(value: 0)
    private let stopped = Atomic(false)

    /// `script` gets the connection and its 0-based index in accept order.
    package init(_ script: @escaping @Sendable (RawPeer, Int) throws -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else { throw RawServerError("bind/listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let listener = fd
        let counter = acceptedCount
        let done = acceptThreadDone
        Thread.detachNewThread {
            defer { done.signal() }
            while true {
                let connection = accept(listener, nil, nil)
                if connection < 0 {
                    if errno == EINTR { continue }
                    return  // shut down
                }
                _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
                let index = counter.value.wrappingAdd(1, ordering: .relaxed).oldValue
                Thread.detachNewThread {
                    let peer = RawPeer(fd: connection)
                    try? script(peer, index)
                    peer.close()
                }
            }
        }
    }

    /// Connections accepted so far.
    package var accepted: Int { acceptedCount.value.load(ordering: .relaxed) }

    /// Stops accepting. The descriptor is closed only after the accept thread has left
    /// `accept`: closed earlier, its number could be reused by another test's listening socket
    /// in this process, and the thread would then steal that server's connections.
    package func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }  // a second close could hit a reused number
        shutdown(fd, Int32(SHUT_RDWR))  // wakes a blocked accept (EINVAL); a later one fails at once
        acceptThreadDone.wait()
        close(fd)
    }
}

/// One accepted connection, blocking, with a receive timeout (60 s) so a script never hangs a test.
package final class RawPeer: @unchecked Sendable {
    private var fd: Int32
    private var buffer: [UInt8] = []

    package init(fd: Int32) {
        self.fd = fd
        // Only so a script never hangs a test; a test process starved of CPU for over 10 s (a
        // full run on two shared cores) must not see its keep-alive connection dropped.
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Reads one request (head and Content-Length body); returns its head text, nil on EOF.
    @discardableResult
    package func readRequest() throws -> String? {
        while true {
            if let end = find(Array("\r\n\r\n".utf8)) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) ?? 0
                }
                while buffer.count < end + 4 + length {
                    guard try receive() > 0 else { return nil }
                }
                buffer.removeFirst(end + 4 + length)
                return head
            }
            guard try receive() > 0 else { return nil }
        }
    }

    package func write(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return }
            offset += written
        }
    }

    /// Blocks until the client closes (or 10 s pass): a server that never answers.
    package func waitForClose() {
        while (try? receive()) ?? 0 > 0 {}
    }

    /// Closes with a TCP reset instead of a FIN.
    package func reset() {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        close()
    }

    package func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
    }

    private func find(_ needle: [UInt8]) -> Int? {
        guard buffer.count >= needle.count else { return nil }
        for start in 0...(buffer.count - needle.count) where buffer[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }

    private func receive() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 { throw RawServerError("recv: errno \(errno)") }
        buffer += chunk[..<count]
        return count
    }
}

package struct RawServerError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

private final class AcceptCounter: Sendable {
    let value = Atomic<Int>(0)
}
