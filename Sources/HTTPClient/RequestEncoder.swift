import HTTPCodec
import IOCore

/// Checks a request and writes it as HTTP/1.1 bytes into a buffer chunk.
enum RequestEncoder {
    /// Refuses what would make an ambiguous or split request: a target that is not origin
    /// form, header names that are not tokens, values with CR/LF/NUL, framing headers.
    static func validate(_ request: HTTPClientRequest) throws(HTTPClientError) {
        guard request.method != .other else { throw .invalidRequest("method has no name") }
        let target = request.target.utf8
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .invalidRequest("target must be origin-form (\"/path?query\") without spaces or control characters")
        }
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else { throw .invalidRequest("header name '\(name)'") }
            guard !value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else {
                throw .invalidRequest("header '\(name)' has CR, LF or NUL in its value")
            }
            let lowered = name.lowercased()
            if lowered == "content-length" || lowered == "transfer-encoding" {
                throw .invalidRequest("\(name) is set by the client")
            }
        }
    }

    /// Whether the request asks for the connection to close after it.
    static func asksToClose(_ request: HTTPClientRequest) -> Bool {
        request.headers.contains { $0.name.lowercased() == "connection" && $0.value.lowercased().contains("close") }
    }

    /// Bytes the encoded request takes.
    static func encodedSize(_ request: HTTPClientRequest, host: String) -> Int {
        var size = request.method.description.utf8.count + 1 + request.target.utf8.count + 11
        if !request.headers.contains(where: { $0.name.lowercased() == "host" }) { size += 8 + host.utf8.count }
        for (name, value) in request.headers { size += name.utf8.count + 2 + value.utf8.count + 2 }
        size += 16 + 20 + 2  // Content-Length line at most
        return size + 2 + request.body.count
    }

    /// Writes the request into `chunk`, which must have `encodedSize` bytes free.
    static func encode(_ request: HTTPClientRequest, host: String, into chunk: BufferChunk) {
        var writer = ByteWriter(chunk.writable)
        writer.write(request.method.description)
        writer.write(byte: 32)
        writer.write(request.target)
        writer.write(" HTTP/1.1\r\n")
        if !request.headers.contains(where: { $0.name.lowercased() == "host" }) {
            writer.write("Host: ")
            writer.write(host)
            writer.write("\r\n")
        }
        for (name, value) in request.headers {
            writer.write(name)
            writer.write(": ")
            writer.write(value)
            writer.write("\r\n")
        }
        // RFC 9110 §8.6: a body-less POST/PUT/PATCH still says so, or some servers wait for one.
        if !request.body.isEmpty || request.method == .post || request.method == .put || request.method == .patch {
            writer.write("Content-Length: ")
            writer.writeDecimal(request.body.count)
            writer.write("\r\n")
        }
        writer.write("\r\n")
        request.body.withUnsafeBytes { writer.write($0) }
        precondition(!writer.overflowed, "encodedSize underestimated the request")
        chunk.writerIndex += writer.count
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }
}
