import HTTPCodec
import Testing

/// What the decoder said about one response, fed the way a socket would deliver it.
private struct DecodedResponse {
    var head: ResponseHead?
    var headers: [(name: String, value: String)] = []
    var parts: [ByteRange] = []
    var body: [UInt8] = []
    var end: Int?
    var failure: HTTP1ResponseDecoder.Failure?
    /// The largest number of bytes the buffer held at once.
    var peakBuffered = 0
    /// Bytes the decoder gave back (chunk framing already decoded).
    var givenBack = 0

    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name }?.value }
}

/// Feeds `raw` in pieces of `piece` bytes (0: all at once) into one buffer, honouring
/// `receiveAt`; with `close`, the connection ends after the last byte.
private func decode(
    _ raw: String,
    piece: Int = 0,
    method: HTTPMethod = .get,
    limits: HTTP1Limits = ParserHarness.limits(),
    close: Bool = false
) -> DecodedResponse {
    let input = Array(raw.utf8)
    var decoder = HTTP1ResponseDecoder(limits: limits, requestMethod: method)
    var storage = [UInt8](repeating: 0, count: input.count)
    var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: limits.maxHeaderCount)
    var result = DecodedResponse()
    var received = 0
    var offset = 0
    func take(_ event: HTTP1ResponseDecoder.Event, _ storage: [UInt8]) -> Bool {
        switch event {
        case .needMore(let receiveAt):
            #expect(receiveAt <= received)
            result.givenBack += received - receiveAt
            received = receiveAt
            return false
        case .head(let head):
            #expect(result.head == nil, "one head")
            result.head = head
            result.headers = table[0..<head.headerCount].map {
                (String(decoding: storage[Int($0.name.start)..<$0.name.end], as: UTF8.self),
                 String(decoding: storage[Int($0.value.start)..<$0.value.end], as: UTF8.self))
            }
        case .body(let part):
            let previous = result.parts.last?.end ?? result.head.map(\.length) ?? -1
            #expect(Int(part.start) == previous && part.count > 0, "parts follow one another")
            result.parts.append(part)
        case .end(let body, let end):
            result.end = end
            result.body = Array(storage[Int(body.start)..<body.end])
            let partsEnd = result.parts.last?.end ?? body.end
            #expect(body.end == partsEnd && Int(body.start) == result.head?.length, "the parts make up the body")
            return true
        case .failed(let failure):
            result.failure = failure
            return true
        }
        return false
    }
    while offset < input.count {
        let count = piece == 0 ? input.count - offset : min(piece, input.count - offset)
        storage.replaceSubrange(received..<received + count, with: input[offset..<offset + count])
        received += count
        offset += count
        result.peakBuffered = max(result.peakBuffered, received)
        while true {
            let event = storage.withUnsafeMutableBytes { bytes in
                table.withUnsafeMutableBufferPointer { decoder.next(UnsafeMutableRawBufferPointer(rebasing: bytes[0..<received]), headers: $0) }
            }
            if take(event, storage) { return result }
            if case .needMore = event { break }
        }
    }
    if close { _ = take(decoder.connectionClosed(received: received), storage) }
    return result
}

@Suite struct HTTP1ResponseDecoderTests {
    static let pieces = [0, 1, 2, 3, 7, 16]

    @Test(arguments: pieces)
    func readsAContentLengthBodyHoweverItArrives(piece: Int) throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world"
        let decoded = decode(raw, piece: piece)
        let head = try #require(decoded.head)
        #expect(head.status == 200 && head.framing == .contentLength(11) && head.keepAlive)
        #expect(decoded.header("content-type") == "text/plain")
        #expect(decoded.text == "hello world")
        #expect(decoded.end == raw.utf8.count)
        #expect(piece == 0 || piece >= 11 || decoded.parts.count > 1, "bytes are reported as they arrive")
    }

    @Test(arguments: pieces)
    func decodesAChunkedBodyInPlaceAndGivesTheFramingBack(piece: Int) throws {
        let raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"
        let decoded = decode(raw, piece: piece)
        #expect(decoded.head?.framing == .chunked)
        #expect(decoded.text == "hello world")
        #expect(decoded.end != nil && decoded.failure == nil)
        if piece > 0 && piece < 8 { #expect(decoded.givenBack > 0, "decoded chunk framing is reused for what follows") }
    }

    @Test func aClosedDelimitedBodyEndsWithTheConnection() throws {
        let raw = "HTTP/1.0 200 OK\r\nX-Mode: until-close\r\n\r\nall of this until the end"
        for piece in Self.pieces {
            let open = decode(raw, piece: piece)
            #expect(open.head?.framing == .untilClose && open.end == nil && open.failure == nil)
            let closed = decode(raw, piece: piece, close: true)
            #expect(closed.text == "all of this until the end" && closed.end == raw.utf8.count)
            #expect(closed.head?.keepAlive == false)
        }
    }

    /// (name, raw response cut short)
    static let truncations: [(String, String)] = [
        ("nothing at all", ""),
        ("half a head", "HTTP/1.1 200 OK\r\nContent-Le"),
        ("half a Content-Length body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a part"),
        ("half a chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
        ("no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n"),
    ]

    @Test(arguments: truncations)
    func aConnectionClosedInsideAResponseIsTruncated(name: String, raw: String) {
        #expect(decode(raw, close: true).failure == .truncated, "\(name)")
        #expect(decode(raw, piece: 1, close: true).failure == .truncated, "\(name)")
    }

    /// (name, raw response, request method)
    static let bodiless: [(String, String, HTTPMethod)] = [
        ("answer to HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", .head),
        ("204", "HTTP/1.1 204 No Content\r\n\r\n", .post),
        ("304", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", .get),
        ("Content-Length 0", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .get),
    ]

    @Test(arguments: bodiless)
    func bodilessResponsesEndWithTheirHead(name: String, raw: String, method: HTTPMethod) {
        let decoded = decode(raw, method: method)
        #expect(decoded.end == raw.utf8.count && decoded.body.isEmpty && decoded.parts.isEmpty, "\(name)")
    }

    @Test func interimResponsesAreSkipped() {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
        for piece in Self.pieces {
            let decoded = decode(raw, piece: piece)
            #expect(decoded.head?.status == 201 && decoded.text == "ok")
        }
    }

    @Test func bytesAfterTheResponseAreLeftAlone() {
        let decoded = decode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n")
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
        #expect(decoded.end == head.utf8.count + 2)
        #expect(decoded.text == "ok")
        let chunked = decode("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nEXTRA")
        #expect(chunked.text == "ok" && chunked.end == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n".utf8.count)
    }

    @Test func bodiesBeyondTheLimitAreTooLarge() {
        let limits = ParserHarness.limits(body: 10)
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"
        #expect(decode(chunked, limits: limits).failure == .tooLarge)
        #expect(decode(chunked, piece: 3, limits: limits).failure == .tooLarge)
        let untilClose = "HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 11)
        #expect(decode(untilClose, limits: limits).failure == .tooLarge, "refused before the close")
        #expect(decode(untilClose, piece: 4, limits: limits, close: true).failure == .tooLarge)
        #expect(decode("HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 10), limits: limits, close: true).end != nil)
        // A Content-Length beyond the limit is refused by the head, before any body byte.
        let declared = decode("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", limits: limits)
        #expect(declared.failure == .invalid(HTTPParseError(status: 502, reason: "response body too large")))
        #expect(declared.head == nil)
    }

    /// (name, raw response) the decoder must refuse.
    static let refusals: [(String, String)] = [
        ("malformed status line", "HTTP/1.1 2x0 OK\r\n\r\n"),
        ("smuggling shape", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"),
        ("bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"),
        ("bad trailer", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nno colon\r\n\r\n"),
    ]

    @Test(arguments: refusals)
    func refusesBrokenResponses(name: String, raw: String) {
        for piece in [0, 1] {
            guard case .invalid(let error) = decode(raw, piece: piece).failure else {
                Issue.record("\(name): not refused as invalid")
                return
            }
            #expect(error.status == 502 || error.status == 400, "\(name)")
        }
    }

    @Test func theEndRepeatsUntilResetAndResetStartsTheNextResponse() throws {
        var decoder = HTTP1ResponseDecoder(limits: ParserHarness.limits())
        var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: 8)
        var bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".utf8)
        func next() -> HTTP1ResponseDecoder.Event {
            bytes.withUnsafeMutableBytes { buffer in table.withUnsafeMutableBufferPointer { decoder.next(buffer, headers: $0) } }
        }
        guard case .head(let head) = next() else { throw Unexpected() }
        #expect(decoder.expectedLength == head.length + 2)
        #expect(next() == .body(ByteRange(start: head.length, count: 2)))
        let end = HTTP1ResponseDecoder.Event.end(body: ByteRange(start: head.length, count: 2), end: bytes.count)
        #expect(next() == end && next() == end)
        #expect(decoder.connectionClosed(received: bytes.count) == end)
        decoder.reset(requestMethod: .head)
        bytes = Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n".utf8)
        guard case .head = next() else { throw Unexpected() }
        #expect(next() == .end(body: ByteRange(start: bytes.count, count: 0), end: bytes.count), "a HEAD answer has no body")
    }

    private struct Unexpected: Error {}
}
