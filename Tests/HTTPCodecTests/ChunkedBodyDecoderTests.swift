import HTTPCodec
import Testing

/// Decodes a chunked body that follows a 10-byte fake head, in one piece or byte by byte.
private func decode(
    _ body: String,
    limits: HTTP1Limits = ParserHarness.limits(),
    byteByByte: Bool = false
) -> (ChunkedBodyDecoder.Progress, String) {
    let head = Array("HEADHEAD\r\n".utf8)
    var bytes = head + Array(body.utf8)
    var decoder = ChunkedBodyDecoder(bodyStart: head.count, limits: limits)
    var progress = ChunkedBodyDecoder.Progress.needMore
    let ends = byteByByte ? Array((head.count + 1)...bytes.count) : [bytes.count]
    for end in ends {
        progress = bytes.withUnsafeMutableBytes { decoder.decode(UnsafeMutableRawBufferPointer(rebasing: $0[0..<end])) }
        if progress != .needMore { break }
    }
    let range = decoder.decodedBody
    return (progress, String(decoding: bytes[Int(range.start)..<range.end], as: UTF8.self))
}

@Suite struct ChunkedBodyDecoderTests {
    @Test(arguments: [false, true])
    func decodesChunksExtensionsAndTrailers(byteByByte: Bool) {
        let body = "5\r\nhello\r\n1;name=value;flag\r\n \r\nA\r\n0123456789\r\n0\r\nX-Checksum: abc\r\n\r\n"
        let (progress, decoded) = decode(body, byteByByte: byteByByte)
        #expect(progress == .complete(end: 10 + body.utf8.count))
        #expect(decoded == "hello 0123456789")
    }

    @Test func acceptsUpperCaseHexAndLeadingZeros() {
        let (progress, decoded) = decode("000B\r\nhello world\r\n0\r\n\r\n")
        #expect(progress != .needMore)
        #expect(decoded == "hello world")
    }

    @Test func stopsAtTheEndOfTheBodyLeavingPipelinedBytes() {
        let body = "3\r\nabc\r\n0\r\n\r\n"
        let (progress, decoded) = decode(body + "GET / HTTP/1.1\r\n")
        #expect(progress == .complete(end: 10 + body.utf8.count))
        #expect(decoded == "abc")
    }

    @Test func anEmptyBodyIsJustTheLastChunk() {
        let (progress, decoded) = decode("0\r\n\r\n")
        #expect(progress == .complete(end: 15))
        #expect(decoded.isEmpty)
    }

    @Test func waitsForMore() {
        #expect(decode("5\r\nhel").0 == .needMore)
        #expect(decode("5\r\nhello\r\n0\r\n").0 == .needMore)
    }

    static let refusals: [(name: String, body: String, status: Int)] = [
        ("non-hex size", "g\r\nx\r\n0\r\n\r\n", 400),
        ("empty size", "\r\nx\r\n0\r\n\r\n", 400),
        ("0x prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400),
        ("negative size", "-5\r\nhello\r\n0\r\n\r\n", 400),
        ("bare LF after size", "5\nhello\r\n0\r\n\r\n", 400),
        ("CR without LF after size", "5\rhello\r\n0\r\n\r\n", 400),
        ("space after size without extension", "5 \r\nhello\r\n0\r\n\r\n", 400),
        ("data longer than its size", "3\r\nhello\r\n0\r\n\r\n", 400),
        ("data without CRLF", "5\r\nhelloXY0\r\n\r\n", 400),
        ("data followed by bare LF", "5\r\nhello\n0\r\n\r\n", 400),
        ("control character in extension", "5;a=\u{1}\r\nhello\r\n0\r\n\r\n", 400),
        ("bare LF in extension", "5;a\nhello\r\n0\r\n\r\n", 400),
        ("size with 17 digits", "00000000000000001\r\nx\r\n0\r\n\r\n", 400),
        ("folded trailer", "0\r\nX-A: b\r\n c\r\n\r\n", 400),
        ("trailer without colon", "0\r\nnonsense\r\n\r\n", 400),
        ("bare LF in trailer", "0\r\nX-A: b\n\r\n", 400),
        ("final line not CRLF", "0\r\n\rX", 400),
    ]

    @Test(arguments: refusals)
    func refuses(_ name: String, _ body: String, _ status: Int) {
        for byteByByte in [false, true] {
            guard case .failed(let error) = decode(body, byteByByte: byteByByte).0 else {
                Issue.record("\(name): accepted (byte by byte: \(byteByByte))")
                continue
            }
            #expect(error.status == status, "\(name)")
        }
    }

    @Test func bodyLimitCoversChunkSizesAndTheirSum() {
        let limits = ParserHarness.limits(body: 8)
        guard case .failed(let oneChunk) = decode("9\r\n123456789\r\n0\r\n\r\n", limits: limits).0 else {
            Issue.record("a single oversized chunk was accepted")
            return
        }
        #expect(oneChunk.status == 413)
        guard case .failed(let sum) = decode("5\r\n12345\r\n5\r\n12345\r\n0\r\n\r\n", limits: limits).0 else {
            Issue.record("chunks adding up past the limit were accepted")
            return
        }
        #expect(sum.status == 413)
        guard case .failed(let huge) = decode("FFFFFFFFFFFFFFF\r\n", limits: limits).0 else {
            Issue.record("a huge size was accepted")
            return
        }
        #expect(huge.status == 413)
        #expect(decode("8\r\n12345678\r\n0\r\n\r\n", limits: limits).1 == "12345678")
    }

    @Test func trailerLimitsGive431() {
        let limits = ParserHarness.limits(headerBytes: 30, headerCount: 2)
        guard case .failed(let count) = decode("0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", limits: limits).0 else {
            Issue.record("too many trailers accepted")
            return
        }
        #expect(count.status == 431)
        guard case .failed(let size) = decode("0\r\nA: " + String(repeating: "x", count: 40) + "\r\n\r\n", limits: limits).0 else {
            Issue.record("oversized trailer accepted")
            return
        }
        #expect(size.status == 431)
    }
}
