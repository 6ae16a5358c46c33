import HTTPCodec
import Testing

/// Runs the response parser over a whole response given as text.
private struct ParsedResponse {
    let bytes: [UInt8]
    let head: ResponseHead
    let headers: [HeaderEntry]

    func text(_ range: ByteRange) -> String {
        String(decoding: bytes[Int(range.start)..<range.end], as: UTF8.self)
    }

    func header(_ name: String) -> String? {
        headers.first { text($0.name).lowercased() == name.lowercased() }.map { text($0.value) }
    }
}

private func parse(
    _ raw: String,
    method: HTTPMethod = .get,
    limits: HTTP1Limits = ParserHarness.limits()
) -> (ResponseHeadParseResult, ParsedResponse?) {
    let bytes = Array(raw.utf8)
    var parser = HTTP1ResponseParser(limits: limits, requestMethod: method)
    var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: limits.maxHeaderCount)
    let result = bytes.withUnsafeBytes { buffer in
        table.withUnsafeMutableBufferPointer { parser.parseHead(buffer, headers: $0) }
    }
    guard case .complete(let head) = result else { return (result, nil) }
    return (result, ParsedResponse(bytes: bytes, head: head, headers: Array(table[0..<head.headerCount])))
}

/// Feeds `raw` one byte more at a time; returns the first result that is not `.needMore`.
private func parseIncrementally(_ raw: String, method: HTTPMethod = .get) -> (ResponseHeadParseResult, calls: Int) {
    let bytes = Array(raw.utf8)
    let limits = ParserHarness.limits()
    var parser = HTTP1ResponseParser(limits: limits, requestMethod: method)
    var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: limits.maxHeaderCount)
    for end in 1...bytes.count {
        let result = bytes[0..<end].withUnsafeBytes { buffer in
            table.withUnsafeMutableBufferPointer { parser.parseHead(buffer, headers: $0) }
        }
        if result != .needMore { return (result, end) }
    }
    return (.needMore, bytes.count)
}

@Suite struct HTTP1ResponseParserTests {
    @Test func parsesAResponseWithContentLength() throws {
        let raw = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
        let response = try #require(parse(raw).1)
        #expect(response.head.status == 200)
        #expect(response.text(response.head.reason) == "OK")
        #expect(response.head.version == .http1_1)
        #expect(response.head.framing == .contentLength(2))
        #expect(response.head.keepAlive)
        #expect(response.header("content-type") == "application/json")
        #expect(response.head.length == raw.utf8.count - 2)
    }

    /// (name, raw response, request method, expected framing, expected keep-alive)
    static let framings: [(String, String, HTTPMethod, ResponseFraming, Bool)] = [
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .get, .chunked, true),
        ("chunked last of several", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", .get, .chunked, true),
        ("other final coding reads to close", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", .get, .untilClose, false),
        ("no length reads to close", "HTTP/1.1 200 OK\r\n\r\n", .get, .untilClose, false),
        ("zero length", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", .get, .none, true),
        ("HEAD ignores length", "HTTP/1.1 200 OK\r\nContent-Length: 42\r\n\r\n", .head, .none, true),
        ("HEAD ignores chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", .head, .none, true),
        ("204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", .post, .none, true),
        ("304 ignores length", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", .get, .none, true),
        ("connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\n", .get, .contentLength(1), false),
        ("HTTP/1.0 closes by default", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", .get, .contentLength(1), false),
        ("HTTP/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\n", .get, .contentLength(1), true),
        ("missing reason", "HTTP/1.1 404\r\nContent-Length: 1\r\n\r\n", .get, .contentLength(1), true),
        ("empty reason", "HTTP/1.1 500 \r\nContent-Length: 1\r\n\r\n", .get, .contentLength(1), true),
    ]

    @Test(arguments: framings)
    func decidesFramingAndReuse(name: String, raw: String, method: HTTPMethod, framing: ResponseFraming, keepAlive: Bool) throws {
        let response = try #require(parse(raw, method: method).1, "\(name)")
        #expect(response.head.framing == framing, "\(name)")
        #expect(response.head.keepAlive == keepAlive, "\(name)")
    }

    @Test func skipsInterimResponses() throws {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\nX-A: b\r\n\r\n"
        let response = try #require(parse(raw).1)
        #expect(response.head.status == 201)
        #expect(response.head.length == raw.utf8.count)
        #expect(response.headers.count == 2, "only the final head's headers")
        #expect(response.header("x-a") == "b")
        #expect(response.header("link") == nil)
    }

    @Test func needsMoreUntilTheEmptyLineByteByByte() {
        let raw = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
        let (result, calls) = parseIncrementally(raw)
        guard case .complete(let head) = result else {
            Issue.record("expected a complete head, got \(result)")
            return
        }
        #expect(calls == raw.utf8.count)
        #expect(head.framing == .contentLength(5))
        #expect(parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n").0 == .needMore)
    }

    @Test func leavesBodyBytesAfterTheHead() throws {
        let head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n"
        let response = try #require(parse(head + "abcHTTP/1.1 200 OK\r\n").1)
        #expect(response.head.length == head.utf8.count)
    }

    /// Responses the parser must refuse.
    static let refusals: [(String, String)] = [
        ("not HTTP", "HTTX/1.1 200 OK\r\n\r\n"),
        ("HTTP/2 status line", "HTTP/2.0 200 OK\r\n\r\n"),
        ("lower-case version", "http/1.1 200 OK\r\n\r\n"),
        ("two-digit status", "HTTP/1.1 20 OK\r\n\r\n"),
        ("four-digit status", "HTTP/1.1 2000 OK\r\n\r\n"),
        ("status below 100", "HTTP/1.1 099 Odd\r\n\r\n"),
        ("letters in status", "HTTP/1.1 2x0 OK\r\n\r\n"),
        ("double space", "HTTP/1.1  200 OK\r\n\r\n"),
        ("protocol switch", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n"),
        ("bare LF", "HTTP/1.1 200 OK\nContent-Length: 0\n\n"),
        ("bare LF in headers", "HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n"),
        ("control character in reason", "HTTP/1.1 200 O\u{1}K\r\n\r\n"),
        ("conflicting Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
        ("Content-Length list", "HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n"),
        ("signed Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
        ("empty Content-Length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n"),
        ("huge Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        ("Content-Length over the body limit", "HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n"),
        ("Content-Length with chunked", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"),
        ("chunked twice", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"),
        ("empty transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked,\r\n\r\n"),
        ("space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n"),
        ("obsolete line folding", "HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\n\r\n"),
        ("header without colon", "HTTP/1.1 200 OK\r\nX-A\r\n\r\n"),
        ("NUL in header value", "HTTP/1.1 200 OK\r\nX-A: b\u{0}c\r\n\r\n"),
        ("too many interim responses", String(repeating: "HTTP/1.1 100 Continue\r\n\r\n", count: 9) + "HTTP/1.1 200 OK\r\n\r\n"),
    ]

    @Test(arguments: refusals)
    func refusesMalformedResponses(name: String, raw: String) {
        guard case .failed(let error) = parse(raw).0 else {
            Issue.record("\(name): accepted")
            return
        }
        #expect(error.status == 502, "\(name)")
    }

    @Test func enforcesHeadLimits() {
        let manyHeaders = "HTTP/1.1 200 OK\r\n" + (0..<5).map { "X-\($0): v\r\n" }.joined() + "\r\n"
        guard case .failed = parse(manyHeaders, limits: ParserHarness.limits(headerCount: 4)).0 else {
            Issue.record("too many headers accepted")
            return
        }
        #expect(parse(manyHeaders, limits: ParserHarness.limits(headerCount: 5)).1 != nil)
        let bigHeader = "HTTP/1.1 200 OK\r\nX-Big: " + String(repeating: "a", count: 200) + "\r\n"
        guard case .failed = parse(bigHeader, limits: ParserHarness.limits(headerBytes: 100)).0 else {
            Issue.record("an oversized header section was not refused before its end")
            return
        }
        let longStatus = "HTTP/1.1 200 " + String(repeating: "a", count: 200)
        guard case .failed = parse(longStatus, limits: ParserHarness.limits(requestLine: 100)).0 else {
            Issue.record("an oversized status line was not refused")
            return
        }
    }

    @Test func chunkedBodiesDecodeAfterTheHead() throws {
        let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        var bytes = Array((head + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").utf8)
        let parsed = try #require(parse(head).1)
        var decoder = ChunkedBodyDecoder(bodyStart: parsed.head.length, limits: ParserHarness.limits())
        let progress = bytes.withUnsafeMutableBytes { decoder.decode($0) }
        #expect(progress == .complete(end: bytes.count))
        let body = decoder.decodedBody
        #expect(String(decoding: bytes[Int(body.start)..<body.end], as: UTF8.self) == "abcde")
    }
}
