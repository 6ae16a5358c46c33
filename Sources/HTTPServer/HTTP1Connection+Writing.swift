import HTTPCodec
import IOCore

#if canImport(Glibc)
import Glibc
#endif

/// What is waiting to be written: a serialised head (or chunk-size line), a body, a literal
/// tail (the CRLF after a chunk, or the last-chunk marker) and a serialised last chunk with
/// trailer fields. At most four iovecs.
struct Outbound {
    var head: BufferChunk?
    var body = ResponseBody.empty
    var bodySent = 0
    var tail: StaticString?
    var tailSent = 0
    var trailerSection: BufferChunk?

    var hasPending: Bool {
        if let head, head.readableBytes > 0 { return true }
        if let length = body.knownLength, bodySent < length { return true }
        if let tail, tailSent < tail.utf8CodeUnitCount { return true }
        if let trailerSection, trailerSection.readableBytes > 0 { return true }
        return false
    }

    /// Queues a literal with nothing before it (e.g. "100 Continue").
    mutating func queueLiteral(_ literal: StaticString) {
        precondition(!hasPending)
        tail = literal
        tailSent = 0
    }

    /// Gives every buffer back (after sending, or when the connection closes).
    mutating func release(into serverLoop: ServerLoop) {
        if head != nil { serverLoop.loop.buffers.give(&head) }
        if trailerSection != nil { serverLoop.loop.buffers.give(&trailerSection) }
        serverLoop.release(&body)
        bodySent = 0
        tail = nil
        tailSent = 0
    }
}

extension HTTP1Connection {
    /// Bodies up to this size are copied behind the head: one iovec, one small copy.
    static let inlineBodyLimit = 2048

    /// Serialises a response head into a pooled buffer and queues it; with `firstChunkLength`
    /// (above 0), the size line of a chunk follows it.
    func queueHead(
        _ response: Response,
        bodyLength: Int?,
        streamed: Bool,
        keepAlive: Bool,
        version: HTTPVersion,
        context: RequestContext,
        firstChunkLength: Int = 0
    ) {
        outbound.head = serialise { writer in
            writeHead(response, bodyLength: bodyLength, streamed: streamed, keepAlive: keepAlive, version: version, context: context, into: &writer)
            if firstChunkLength > 0 {
                writer.writeHexadecimal(firstChunkLength)
                writer.write("\r\n")
            }
        }
    }

    /// Queues the chunked coding's end: the last chunk, `trailers`, and the final CRLF.
    func queueTrailerSection(_ trailers: ResponseTrailers) {
        outbound.trailerSection = serialise { writer in
            writer.write("0\r\n")
            for (name, value) in trailers.fields
            where name.isSafeFieldValue && value.isSafeFieldValue && !ResponseTrailers.isForbidden(name) {
                name.write(into: &writer)
                writer.write(": ")
                value.write(into: &writer)
                writer.write("\r\n")
            }
            writer.write("\r\n")
        }
    }

    /// Writes with `write` into a pooled buffer, or an unpooled one when it does not fit.
    private func serialise(_ write: (inout ByteWriter) -> Void) -> BufferChunk {
        let buffer = loop.buffers.take()
        var writer = ByteWriter(buffer.writable)
        write(&writer)
        if writer.overflowed {
            // Fields larger than a pooled buffer: rare, so an unpooled one is fine.
            var pooled: BufferChunk? = buffer
            loop.buffers.give(&pooled)
            let big = BufferChunk(unpooledCapacity: writer.requiredCapacity)
            var retry = ByteWriter(big.writable)
            write(&retry)
            big.writerIndex = retry.count
            return big
        }
        buffer.writerIndex = writer.count
        return buffer
    }

    private func writeHead(
        _ response: Response,
        bodyLength: Int?,
        streamed: Bool,
        keepAlive: Bool,
        version: HTTPVersion,
        context: RequestContext,
        into writer: inout ByteWriter
    ) {
        let status = response.status
        writer.write("HTTP/1.1 ")
        writer.writeDecimal(status.code)
        writer.write(byte: 32)
        writer.write(status.reasonPhrase)
        writer.write("\r\nDate: ")
        serverLoop.dateCache.write(into: &writer)
        writer.write("\r\n")
        if let contentType = response.headers.contentType, contentType.isSafeFieldValue {
            writer.write("Content-Type: ")
            contentType.write(into: &writer)
            writer.write("\r\n")
        }
        if status.code >= 200 && status.code != 204 && status.code != 304 {
            if let bodyLength, !streamed {
                writer.write("Content-Length: ")
                writer.writeDecimal(bodyLength)
                writer.write("\r\n")
            } else if version == .http1_1 {
                writer.write("Transfer-Encoding: chunked\r\n")
            }
        }
        if context.requestID.count > 0 {
            writer.write("X-Request-Id: ")
            context.requestID.withUnsafeBytes { writer.write($0) }
            writer.write("\r\n")
        }
        for (name, value) in response.headers.fields where name.isSafeFieldValue && value.isSafeFieldValue {
            name.write(into: &writer)
            writer.write(": ")
            value.write(into: &writer)
            writer.write("\r\n")
        }
        if !keepAlive {
            writer.write("Connection: close\r\n")
        } else if version == .http1_0 {
            writer.write("Connection: keep-alive\r\n")
        }
        writer.write("\r\n")
    }

    /// Writes what is queued. True when everything left (lingering starts if that was the
    /// last response); false when the transport is full (the write timeout runs) or the
    /// connection closed.
    @discardableResult
    func flush() -> Bool {
        inlineSmallBody()
        while outbound.hasPending {
            let result: Result<IOResult<Int>, IOError> = withPendingIOVectors { vectors in
                Result { () throws(IOError) in try transport.writev(vectors) }
            }
            switch result {
            case .success(.processed(let written)):
                advance(by: written)
                machine.writeProgressed(now: loop.now)
            case .success(.wouldBlock):
                machine.writeWouldBlock(now: loop.now)
                updateTimer()
                return false
            case .failure:
                close()
                return false
            }
        }
        outbound.release(into: serverLoop)
        if let waiter = writeWaiter {
            writeWaiter = nil
            waiter.resume()
        }
        if machine.writeCompleted() { startLingering() }
        return machine.state != .closed
    }

    /// Copies a small body behind the head so the response leaves in one iovec.
    private func inlineSmallBody() {
        guard let head = outbound.head, outbound.bodySent == 0, let length = outbound.body.knownLength,
            length > 0, length <= Self.inlineBodyLimit, head.writableBytes >= length
        else { return }
        _ = withBodyBytes(outbound.body, from: 0) { bytes in head.append(bytes) }
        var body = outbound.body
        outbound.body = .empty
        releaseBody(&body)
    }

    private func advance(by written: Int) {
        var rest = written
        if let head = outbound.head, head.readableBytes > 0 {
            let taken = min(rest, head.readableBytes)
            head.readerIndex += taken
            rest -= taken
        }
        if rest > 0, let length = outbound.body.knownLength {
            let taken = min(rest, length - outbound.bodySent)
            outbound.bodySent += taken
            rest -= taken
        }
        if rest > 0, let tail = outbound.tail {
            let taken = min(rest, tail.utf8CodeUnitCount - outbound.tailSent)
            outbound.tailSent += taken
            rest -= taken
        }
        if rest > 0, let trailerSection = outbound.trailerSection {
            trailerSection.readerIndex += rest
        }
    }

    /// Calls `body` with iovecs for everything pending (at most four).
    private func withPendingIOVectors<Result>(_ body: (UnsafeBufferPointer<iovec>) -> Result) -> Result {
        var vectors = (iovec(), iovec(), iovec(), iovec())
        return withUnsafeMutableBytes(of: &vectors) { raw in
            let slots = raw.bindMemory(to: iovec.self)
            var count = 0
            if let head = outbound.head, head.readableBytes > 0 {
                slots[count] = iovec(iov_base: head.base + head.readerIndex, iov_len: head.readableBytes)
                count += 1
            }
            return withBodyBytes(outbound.body, from: outbound.bodySent) { bodyBytes in
                if bodyBytes.count > 0 {
                    slots[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: bodyBytes.baseAddress), iov_len: bodyBytes.count)
                    count += 1
                }
                if let tail = outbound.tail, outbound.tailSent < tail.utf8CodeUnitCount {
                    slots[count] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: tail.utf8Start + outbound.tailSent),
                        iov_len: tail.utf8CodeUnitCount - outbound.tailSent
                    )
                    count += 1
                }
                if let trailerSection = outbound.trailerSection, trailerSection.readableBytes > 0 {
                    slots[count] = iovec(iov_base: trailerSection.base + trailerSection.readerIndex, iov_len: trailerSection.readableBytes)
                    count += 1
                }
                return body(UnsafeBufferPointer(rebasing: slots[0..<count]))
            }
        }
    }

    /// Calls `body` with the bytes of a body from `offset` on (valid only inside the call).
    func withBodyBytes<Result>(_ responseBody: ResponseBody, from offset: Int, _ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch responseBody {
        case .empty, .stream:
            return body(UnsafeRawBufferPointer(start: nil, count: 0))
        case .literal(let literal):
            return body(UnsafeRawBufferPointer(start: literal.utf8Start + offset, count: literal.utf8CodeUnitCount - offset))
        case .string(let string):
            var string = string
            return string.withUTF8 { utf8 in body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(utf8)[offset...])) }
        case .bytes(let bytes):
            return bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
        case .buffer(let chunk):
            return body(UnsafeRawBufferPointer(rebasing: chunk.readable[offset...]))
        }
    }
}
