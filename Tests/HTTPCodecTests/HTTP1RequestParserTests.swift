import HTTPCodec
import Testing

@Suite struct HTTP1RequestParserTests {
    @Test func parsesASimpleGet() throws {
        let (_, parsed) = ParserHarness.parse("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n")
        let request = try #require(parsed)
        #expect(request.head.method == .get)
        #expect(request.text(request.head.path) == "/plaintext")
        #expect(request.head.query == nil)
        #expect(request.head.version == .http1_1)
        #expect(request.head.keepAlive)
        #expect(request.head.framing == .none)
        #expect(request.text(request.head.host) == "localhost:8080")
        #expect(request.header("accept") == "*/*")
        #expect(request.head.length == request.bytes.count)
    }

    @Test func splitsPathAndQuery() throws {
        let request = try #require(ParserHarness.parse("GET /v1/deals?status=active&limit=5 HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(request.text(request.head.path) == "/v1/deals")
        #expect(request.text(request.head.query) == "status=active&limit=5")
        #expect(request.text(request.head.target) == "/v1/deals?status=active&limit=5")
        let empty = try #require(ParserHarness.parse("GET /x? HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(empty.text(empty.head.query) == "")
    }

    @Test func acceptsAbsoluteFormAndAsteriskForm() throws {
        let absolute = try #require(ParserHarness.parse("GET http://example.com:80/a/b?c HTTP/1.1\r\nHost: example.com\r\n\r\n").1)
        #expect(absolute.text(absolute.head.path) == "/a/b")
        #expect(absolute.text(absolute.head.query) == "c")
        let bare = try #require(ParserHarness.parse("GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n").1)
        #expect(bare.head.path.count == 0, "an absolute-form target without a path means /")
        let options = try #require(ParserHarness.parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(options.text(options.head.path) == "*")
    }

    @Test func trimsOptionalWhitespaceAndKeepsObsText() throws {
        let raw: [UInt8] = Array("GET / HTTP/1.1\r\nHost: a\r\nX-A: \t value with  spaces \t \r\nX-Empty:\r\nX-Obs: caf".utf8)
            + [0xC3, 0xA9] + Array("\r\n\r\n".utf8)
        let request = try #require(ParserHarness.parse(raw).1)
        #expect(request.header("x-a") == "value with  spaces")
        #expect(request.header("x-empty") == "")
        #expect(request.header("x-obs") == "café")
    }

    @Test func contentLengthAndChunkedFraming() throws {
        let post = try #require(ParserHarness.parse("POST /o HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n").1)
        #expect(post.head.framing == .contentLength(42))
        let zero = try #require(ParserHarness.parse("POST /o HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").1)
        #expect(zero.head.framing == .none)
        let chunked = try #require(ParserHarness.parse("POST /o HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n").1)
        #expect(chunked.head.framing == .chunked)
    }

    @Test func keepAliveFollowsVersionAndConnection() throws {
        let close = try #require(ParserHarness.parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Close\r\n\r\n").1)
        #expect(!close.head.keepAlive)
        let old = try #require(ParserHarness.parse("GET / HTTP/1.0\r\n\r\n").1)
        #expect(old.head.version == .http1_0 && !old.head.keepAlive)
        #expect(old.head.host == nil, "HTTP/1.0 needs no Host")
        let oldKeepAlive = try #require(ParserHarness.parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").1)
        #expect(oldKeepAlive.head.keepAlive)
    }

    @Test func expectContinueOnlyWithABodyAndOnlyInHTTP11() throws {
        let expects = try #require(
            ParserHarness.parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-Continue\r\n\r\n").1)
        #expect(expects.head.expectsContinue)
        let noBody = try #require(ParserHarness.parse("GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n").1)
        #expect(!noBody.head.expectsContinue)
        let old = try #require(ParserHarness.parse("POST / HTTP/1.0\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n").1)
        #expect(!old.head.expectsContinue)
    }

    @Test func recognisesMethods() throws {
        for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"] {
            let request = try #require(ParserHarness.parse("\(method) / HTTP/1.1\r\nHost: a\r\n\r\n").1)
            #expect(request.head.method.description == method)
        }
        let custom = try #require(ParserHarness.parse("PROPFIND / HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(custom.head.method == .other)
        #expect(custom.text(custom.head.methodRange) == "PROPFIND")
        let lower = try #require(ParserHarness.parse("get / HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(lower.head.method == .other, "methods are case-sensitive")
    }

    @Test func skipsUpToTwoEmptyLinesBeforeTheRequestLine() throws {
        let request = try #require(ParserHarness.parse("\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(request.text(request.head.path) == "/a")
        #expect(request.head.length == request.bytes.count)
        #expect(ParserHarness.refusal("\r\n\r\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n") == 400)
    }

    @Test func needsMoreUntilTheEmptyLineAndCostsLinearTime() {
        let raw = "POST /orders HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n"
        let (result, calls) = ParserHarness.parseIncrementally(raw)
        guard case .complete(let head) = result else {
            Issue.record("expected a complete head, got \(result)")
            return
        }
        #expect(calls == raw.utf8.count, "completes exactly on the last byte")
        #expect(head.framing == .contentLength(2))
        #expect(ParserHarness.parse("GET / HTTP/1.1\r\nHost: a\r\n").0 == .needMore)
    }

    @Test func pipelinedBytesAfterTheHeadAreLeftForTheNextRequest() throws {
        let first = "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
        let request = try #require(ParserHarness.parse(first + "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n").1)
        #expect(request.head.length == first.utf8.count)
        #expect(request.text(request.head.path) == "/1")
    }

    /// Every request the parser must refuse, with the status it must answer.
    static let refusals: [(name: String, raw: String, status: Int)] = [
        // Content-Length / Transfer-Encoding smuggling shapes.
        ("conflicting Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
        ("repeated equal Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400),
        ("Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400),
        ("signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400),
        ("negative Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400),
        ("hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", 400),
        ("empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", 400),
        ("Content-Length with inner space", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 400),
        ("Content-Length and Transfer-Encoding",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("Transfer-Encoding then Content-Length",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
        ("Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("chunked not final", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400),
        ("only an unknown coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        ("near-miss coding name", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 400),
        ("chunked twice in one header", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("chunked in two headers",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("empty Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n", 400),
        ("empty coding in list", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,chunked\r\n\r\n", 400),
        ("junk in coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chu\"nked\r\n\r\n", 400),
        ("unsupported coding before chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("coding with parameters", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", 501),
        // Header line shapes.
        ("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400),
        ("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400),
        ("folded Transfer-Encoding", "POST / HTTP/1.1\r\nHost: a\r\n Transfer-Encoding: chunked\r\n\r\n", 400),
        ("whitespace before colon", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\n\r\n", 400),
        ("tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n", 400),
        ("invalid name character", "GET / HTTP/1.1\r\nHost: a\r\nX@A: b\r\n\r\n", 400),
        ("space inside name", "GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", 400),
        ("empty name", "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400),
        ("line without colon", "GET / HTTP/1.1\r\nHost: a\r\nJustText\r\n\r\n", 400),
        ("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{0}c\r\n\r\n", 400),
        ("control character in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{1}c\r\n\r\n", 400),
        ("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\u{7F}c\r\n\r\n", 400),
        ("bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400),
        ("bare LF line ending", "GET / HTTP/1.1\nHost: a\n\n", 400),
        ("bare LF between headers", "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400),
        // Host.
        ("missing Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400),
        ("repeated Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("Host with a space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
        ("Host with a slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        // Request line shapes.
        ("double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400),
        ("missing version", "GET /\r\nHost: a\r\n\r\n", 400),
        ("lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400),
        ("malformed version", "GET / HTTP/11\r\nHost: a\r\n\r\n", 400),
        ("space in target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("fragment in target", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("target without slash", "GET a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("asterisk with GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("absolute-form without authority", "GET http:///a HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("fragment inside the authority", "GET http://a#b/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("userinfo in the authority", "GET http://user@evil.example/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("space-free junk in the authority", "GET http://a\"b/x HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("invalid method character", "GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("empty method", " / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("NUL in method", "G\u{0}T / HTTP/1.1\r\nHost: a\r\n\r\n", 400),
        ("HTTP/2.0 request line", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505),
        ("HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505),
        ("HTTP/0.9 style", "GET / HTTP/0.9\r\nHost: a\r\n\r\n", 505),
        ("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", 501),
        // Expectations.
        ("unknown expectation", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nExpect: 200-ok\r\n\r\n", 417),
    ]

    @Test(arguments: refusals)
    func refuses(_ name: String, _ raw: String, _ status: Int) {
        #expect(ParserHarness.refusal(raw) == status, "\(name)")
        // A slow client sending the same bytes one at a time gets the same answer.
        if case .failed(let error) = ParserHarness.parseIncrementally(raw).0 {
            #expect(error.status == status, "\(name), byte by byte")
        } else {
            Issue.record("\(name): accepted when fed byte by byte")
        }
    }

    @Test func nonASCIIInTargetIsRefused() {
        let raw: [UInt8] = Array("GET /caf".utf8) + [0xC3, 0xA9] + Array(" HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
        guard case .failed(let error) = ParserHarness.parse(raw).0 else {
            Issue.record("accepted a raw UTF-8 target")
            return
        }
        #expect(error.status == 400)
    }

    @Test func requestLineLimitGives414EvenBeforeTheLineEnds() {
        let limits = ParserHarness.limits(requestLine: 64)
        let long = "GET /" + String(repeating: "a", count: 100)
        #expect(ParserHarness.refusal(long, limits: limits) == 414, "incomplete line already over the limit")
        #expect(ParserHarness.refusal(long + " HTTP/1.1\r\nHost: a\r\n\r\n", limits: limits) == 414)
        let fits = "GET /" + String(repeating: "a", count: 50) + " HTTP/1.1\r\nHost: a\r\n\r\n"
        #expect(ParserHarness.refusal(fits, limits: limits) == nil)
    }

    @Test func headerBytesLimitGives431() {
        let limits = ParserHarness.limits(headerBytes: 100)
        let big = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 200) + "\r\n\r\n"
        #expect(ParserHarness.refusal(big, limits: limits) == 431)
        let incomplete = "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + String(repeating: "b", count: 200)
        #expect(ParserHarness.refusal(incomplete, limits: limits) == 431)
    }

    @Test func headerCountLimitGives431() {
        let limits = ParserHarness.limits(headerCount: 5)
        let five = (0..<4).map { "X-\($0): v\r\n" }.joined()
        #expect(ParserHarness.refusal("GET / HTTP/1.1\r\nHost: a\r\n" + five + "\r\n", limits: limits) == nil)
        let six = (0..<5).map { "X-\($0): v\r\n" }.joined()
        #expect(ParserHarness.refusal("GET / HTTP/1.1\r\nHost: a\r\n" + six + "\r\n", limits: limits) == 431)
    }

    @Test func bodyLimitGives413FromContentLength() {
        let limits = ParserHarness.limits(body: 1000)
        #expect(ParserHarness.refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", limits: limits) == nil)
        #expect(ParserHarness.refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", limits: limits) == 413)
        let huge = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n"
        #expect(ParserHarness.refusal(huge, limits: limits) == 413, "too many digits to represent is still 413, no overflow")
    }

    @Test func http2PrefaceReachingTheHTTP1ParserIs505() {
        #expect(ParserHarness.refusal("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") == 505)
    }
}
