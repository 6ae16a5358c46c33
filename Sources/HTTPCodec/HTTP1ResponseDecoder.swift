/// An HTTP/1.1 response decoder (RFC 9112) without I/O: the head through
/// `HTTP1ResponseParser`, then the body by its framing — Content-Length, chunked (decoded in
/// place by `ChunkedBodyDecoder`) or until the connection closes — within `HTTP1Limits`.
///
/// The caller keeps one response in one buffer, from its first byte to the last one received,
/// and after every read asks for events until `.needMore`: the final head (interim 1xx
/// responses skipped), body parts as they arrive (each follows the previous one, so the whole
/// body ends up contiguous after the head), and the end. `.needMore` says where the next
/// received byte goes: chunk framing already decoded is given back. Between calls the caller
/// may move the buffer (grow it) but must keep the offsets.
///
/// Errors carry why for logs; the connection must be closed after any of them.
package struct HTTP1ResponseDecoder: Sendable {
    /// What the bytes offered so far hold; ask again after anything but `.needMore`, `.end`
    /// and `.failed` (which repeat until `reset`).
    package enum Event: Sendable, Hashable {
        /// All of it is used: read more, and store the next byte at `receiveAt`.
        case needMore(receiveAt: Int)
        /// The final head; its header lines are in the caller's table.
        case head(ResponseHead)
        /// Body bytes, decoded, right after those of the previous part.
        case body(ByteRange)
        /// The whole response: its body, and where it ends (the connection may carry another
        /// response only if nothing follows `end`, the head allows it and it was not
        /// delimited by the close).
        case end(body: ByteRange, end: Int)
        /// The response cannot be used.
        case failed(Failure)
    }

    /// Why a response cannot be used.
    package enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// It breaks the protocol (status 502: a bad gateway to whoever asked us).
        case invalid(HTTPParseError)
        /// Its body is larger than `limits.maxBodyBytes` (chunked, or read until the close).
        case tooLarge
        /// The connection ended before the response did.
        case truncated

        package var description: String {
            switch self {
            case .invalid(let error): error.reason.description
            case .tooLarge: "response too large"
            case .truncated: "connection closed before the response was complete"
            }
        }
    }

    private enum Body: Sendable {
        case head
        case fixed(end: Int)
        case chunked(ChunkedBodyDecoder)
        case untilClose
        case finished(Event)
    }

    package let limits: HTTP1Limits
    private var parser: HTTP1ResponseParser
    private var body = Body.head
    /// The final head, once parsed.
    package private(set) var head: ResponseHead?
    /// Where the body bytes reported so far end.
    private var reportedEnd = 0
    /// A chunked decoder's outcome held back while the part it decoded is reported first.
    private var pendingChunked: ChunkedBodyDecoder.Progress?

    package init(limits: HTTP1Limits, requestMethod: HTTPMethod = .get) {
        self.limits = limits
        self.parser = HTTP1ResponseParser(limits: limits, requestMethod: requestMethod)
    }

    /// Forgets the response, ready for the next one (to a request with `requestMethod`).
    package mutating func reset(requestMethod: HTTPMethod) {
        self = HTTP1ResponseDecoder(limits: limits, requestMethod: requestMethod)
    }

    /// The most bytes one response within the limits keeps in the buffer at once: its head, its
    /// body and what a read may add before chunk framing is given back.
    package var maxBufferBytes: Int { limits.maxHeadBytes + limits.maxBodyBytes + 64 * 1024 }

    /// Bytes the buffer must hold for the whole response, once a Content-Length head says so.
    package var expectedLength: Int? {
        if case .fixed(let end) = body { return end }
        return nil
    }

    /// The next event from `buffer`: the response from its first byte to the last received
    /// (chunk data is moved down over its framing inside it). `headers` receives the head's lines.
    package mutating func next(
        _ buffer: UnsafeMutableRawBufferPointer,
        headers: UnsafeMutableBufferPointer<HeaderEntry>
    ) -> Event {
        let received = buffer.count
        switch body {
        case .finished(let event):
            return event
        case .head:
            switch parser.parseHead(UnsafeRawBufferPointer(buffer), headers: headers) {
            case .needMore:
                return .needMore(receiveAt: received)
            case .failed(let error):
                return finish(.failed(.invalid(error)))
            case .complete(let parsed):
                head = parsed
                reportedEnd = parsed.length
                switch parsed.framing {
                case .none: body = .fixed(end: parsed.length)
                case .contentLength(let length): body = .fixed(end: parsed.length + length)
                case .chunked: body = .chunked(ChunkedBodyDecoder(bodyStart: parsed.length, limits: limits))
                case .untilClose: body = .untilClose
                }
                return .head(parsed)
            }
        case .fixed(let end):
            if reportedEnd < end && reportedEnd < received { return reportPart(upTo: min(end, received)) }
            guard received >= end else { return .needMore(receiveAt: received) }
            return finish(.end(body: ByteRange(start: head!.length, count: end - head!.length), end: end))
        case .untilClose:
            guard received - head!.length <= limits.maxBodyBytes else { return finish(.failed(.tooLarge)) }
            if reportedEnd < received { return reportPart(upTo: received) }
            return .needMore(receiveAt: received)
        case .chunked(var decoder):
            let progress = pendingChunked ?? decoder.decode(buffer)
            pendingChunked = nil
            switch progress {
            case .failed(let error):
                return finish(.failed(error.status == 413 ? .tooLarge : .invalid(error)))
            case .needMore, .complete:
                let decoded = decoder.decodedBody
                if reportedEnd < decoded.end {
                    pendingChunked = progress
                    body = .chunked(decoder)
                    return reportPart(upTo: decoded.end)
                }
                if case .complete(let end) = progress { return finish(.end(body: decoded, end: end)) }
                let receiveAt = decoder.discardConsumedInput()
                body = .chunked(decoder)
                return .needMore(receiveAt: receiveAt)
            }
        }
    }

    /// The connection ended after `received` bytes: the end of a body read until the close,
    /// or a truncated response.
    package mutating func connectionClosed(received: Int) -> Event {
        switch body {
        case .finished(let event):
            return event
        case .untilClose where received - head!.length <= limits.maxBodyBytes:
            return finish(.end(body: ByteRange(start: head!.length, count: received - head!.length), end: received))
        case .untilClose:
            return finish(.failed(.tooLarge))
        case .head, .fixed, .chunked:
            return finish(.failed(.truncated))
        }
    }

    private mutating func reportPart(upTo end: Int) -> Event {
        let part = ByteRange(start: reportedEnd, count: end - reportedEnd)
        reportedEnd = end
        return .body(part)
    }

    private mutating func finish(_ event: Event) -> Event {
        body = .finished(event)
        return event
    }
}
