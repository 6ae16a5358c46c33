import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A blocking TCP client that writes exactly the bytes a test gives it and parses
/// responses strictly, so tests see what the server really sent.
/// `send` touches no state but the socket, so one thread may send while another reads
/// (the slowloris test); everything else belongs to one thread at a time.
final class RawConnection: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// `receiveTimeout` only stops a broken test from hanging: long enough for a machine whose
    /// two cores the whole suite shares (10 s was outlasted in full runs).
    init(port: Int, receiveTimeout: Duration = .seconds(60)) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClientError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: Int(receiveTimeout.components.seconds), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        // No close here: a class whose initializer throws after setting every property is
        // deinitialized, and deinit closes `fd`. Closing it here too closed whatever descriptor
        // another test had opened under the same number meanwhile (random resets elsewhere).
        guard result == 0 else { throw ClientError("connect: errno \(errno)") }
    }

    deinit {
        close(fd)
    }

    /// Shrinks the kernel receive buffer (before connecting data flows) so a server
    /// writing to a client that does not read fills it quickly.
    func setReceiveBuffer(bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    // The blocking calls run on a thread of their own: a test blocked in recv() must not hold
    // one of the few threads of Swift's cooperative pool, which the server's Tasks may need.

    func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) async throws {
        try await offload { try self.sendBlocking(bytes) }
    }

    func readResponse(head: Bool = false) async throws -> TestResponse {
        try await offload { try self.readResponseBlocking(head: head) }
    }

    /// Reads `count` responses in one hand-off (for long pipelined runs).
    func readResponses(_ count: Int) async throws -> [TestResponse] {
        try await offload { try (0..<count).map { _ in try self.readResponseBlocking() } }
    }

    func readUntilClosed() async throws -> [UInt8] {
        try await offload { try self.readUntilClosedBlocking() }
    }

    func isClosedByServer() async throws -> Bool {
        try await offload { try self.isClosedByServerBlocking() }
    }

    func sendBlocking(_ text: String) throws {
        try sendBlocking(Array(text.utf8))
    }

    func sendBlocking(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ClientError("send: errno \(errno)") }
            offset += written
        }
    }

    /// Reads one response. `head` says it answers a HEAD request (no body follows).
    func readResponseBlocking(head: Bool = false) throws -> TestResponse {
        let headEnd = try readUntil("\r\n\r\n")
        let headText = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw ClientError("bad status line: \(statusLine)") }
        let headers = try lines.map { line -> (String, String) in
            guard let colon = line.firstIndex(of: ":") else { throw ClientError("bad header line: \(line)") }
            return (String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = TestResponse(version: String(parts[0]), status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 || (100...199).contains(status) { return response }
        if let length = response.header("content-length").flatMap(Int.init) {
            try fill(atLeast: length)
            response.body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else if response.header("transfer-encoding") == "chunked" {
            (response.body, response.trailers) = try readChunkedBody()
        } else {
            response.body = try readUntilClosedBlocking()
        }
        return response
    }

    /// Reads everything until the server closes; throws on a timeout.
    func readUntilClosedBlocking() throws -> [UInt8] {
        while try receive() > 0 {}
        defer { buffer.removeAll() }
        return buffer
    }

    /// Whether the server closed the connection (EOF or reset) with no more bytes; throws on a timeout.
    func isClosedByServerBlocking() throws -> Bool {
        if !buffer.isEmpty { return false }
        do {
            return try receive() == 0
        } catch let error as ClientError where error.isReset {
            return true
        }
    }

    private func readChunkedBody() throws -> (body: [UInt8], trailers: [(String, String)]) {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil("\r\n")
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self)
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else { throw ClientError("bad chunk size \(sizeText)") }
            if size == 0 {
                return (body, try readTrailerSection())
            }
            try fill(atLeast: size + 2)
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
        }
    }

    /// The field lines after the last chunk, up to the empty line that ends the message.
    private func readTrailerSection() throws -> [(String, String)] {
        var trailers: [(String, String)] = []
        while true {
            let lineEnd = try readUntil("\r\n")
            let line = String(decoding: buffer[..<lineEnd], as: UTF8.self)
            buffer.removeFirst(lineEnd + 2)
            if line.isEmpty { return trailers }
            guard let colon = line.firstIndex(of: ":") else { throw ClientError("bad trailer line: \(line)") }
            trailers.append((String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
    }

    private func readUntil(_ marker: String) throws -> Int {
        let needle = Array(marker.utf8)
        var searchFrom = 0
        while true {
            if buffer.count >= needle.count {
                for start in searchFrom...(buffer.count - needle.count) where buffer[start..<start + needle.count].elementsEqual(needle) {
                    return start
                }
                searchFrom = buffer.count - needle.count + 1
            }
            guard try receive() > 0 else { throw ClientError("connection closed before \(marker.debugDescription)") }
        }
    }

    private func fill(atLeast count: Int) throws {
        while buffer.count < count {
            guard try receive() > 0 else { throw ClientError("connection closed with \(buffer.count) of \(count) bytes") }
        }
    }

    @discardableResult
    private func receive() throws -> Int {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { throw ClientError("timed out waiting for the server") }
            throw ClientError("recv: errno \(errno)", isReset: errno == ECONNRESET)
        }
        buffer += chunk[..<count]
        return count
    }
}

struct TestResponse {
    var version: String
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]
    /// Fields of a chunked body's trailer section.
    var trailers: [(String, String)] = []

    func header(_ name: String) -> String? {
        headers.first { $0.0 == name }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as a JSON object.
    var json: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }
}

struct ClientError: Error, CustomStringConvertible {
    let description: String
    var isReset = false

    init(_ description: String, isReset: Bool = false) {
        self.description = description
        self.isReset = isReset
    }
}

/// Runs blocking work on a new thread and waits for it without blocking the caller's thread.
func offload<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try work() })
        }
        thread.start()
    }
}
