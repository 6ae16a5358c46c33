// libFuzzer target for the HTTP/1.1 request parser (HTTP1RequestParser, HeaderSemantics,
// ChunkedBodyDecoder). libFuzzer provides main(); this file has no top-level code and is built
// with -parse-as-library (see scripts/fuzz.sh).
//
// Every input is treated as the bytes a client sent on one connection and run through two sets
// of limits (production limits, and tiny limits derived from the last byte so that 413/414/431
// paths are reached with short inputs). For each request found on the connection (up to
// `maxRequestsPerInput`, pipelined one after the other):
//
//   1. the head is parsed in one piece, split in two at a point derived from the first byte, and
//      one byte at a time; the results must agree (exactly, see `requireAgreement`);
//   2. a parser reused after `reset()` must give the same result as a fresh one;
//   3. a complete head is checked against the bytes: every range lies inside the head, the
//      request line, header lines and framing match what an independent model of RFC 9112 /
//      HeaderSemantics derives from the header table; reparsing the head alone gives the same head;
//   4. a chunked body is decoded by ChunkedBodyDecoder in one piece, byte by byte, and in pieces
//      with `discardConsumedInput()` between them, and compared with a simple reference decoder;
//      the head and any pipelined bytes after the body must be left untouched.
//
// Any broken invariant calls fatalError, which libFuzzer reports as a crash (the input is written
// to the artifacts directory). Buffers handed to the parser are exact-size heap copies so that
// AddressSanitizer catches a read one byte past the end.
//
// FUZZ_STRICT_SPLIT=1 in the environment also requires the *status* of a refusal to be the same
// whichever way the bytes arrive (see `requireAgreement`).

#if canImport(Glibc)
import Glibc
#endif
import HTTPCodec

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    checkPreface(input)
    for config in FuzzConfig.all(for: input) {
        fuzzConnection(input, config)
    }
    return 0
}

// MARK: - Configuration

let maxRequestsPerInput = 4

/// Off by default: see `requireAgreement`.
let strictRefusalAgreement: Bool = getenv("FUZZ_STRICT_SPLIT").map { $0.pointee != 0 && $0.pointee != 48 } ?? false

struct FuzzConfig {
    var name: String
    var limits: HTTP1Limits
    /// Entries in the header table handed to the parser (may be below `limits.maxHeaderCount`).
    var tableCount: Int
    /// Where the two-piece head parse splits (in bytes of the request).
    var splitSeed: Int
    /// Piece size for the chunked decoder with `discardConsumedInput()` between pieces.
    var pieceSize: Int

    static func all(for input: [UInt8]) -> [FuzzConfig] {
        let first = Int(input.first ?? 0)
        let last = Int(input.last ?? 0)
        let production = HTTP1Limits()
        var tiny = HTTP1Limits()
        tiny.maxRequestLineBytes = 8 + (last & 0x1F) * 2
        tiny.maxHeaderBytes = 16 + (last >> 5) * 24
        tiny.maxHeaderCount = 1 + last % 7
        tiny.maxBodyBytes = last % 61
        return [
            FuzzConfig(
                name: "production limits", limits: production, tableCount: production.maxHeaderCount,
                splitSeed: first, pieceSize: 1 + (first ^ last) % 23),
            FuzzConfig(
                name: "tiny limits", limits: tiny, tableCount: max(0, tiny.maxHeaderCount - (last >> 7)),
                splitSeed: first, pieceSize: 1 + (first &* 7 ^ last) % 5),
        ]
    }
}

// MARK: - Invariant checking

@inline(never)
func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        fatalError("HTTPParserFuzzer: invariant broken: \(message())")
    }
}

func hex(_ bytes: some Sequence<UInt8>, limit: Int = 256) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    for (index, byte) in bytes.enumerated() {
        if index == limit {
            out += Array("...".utf8)
            break
        }
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

/// Runs `body` over an exact-size heap copy of `bytes` (ASan sees any access past its end).
func withExactCopy<R>(_ bytes: ArraySlice<UInt8>, _ body: (UnsafeMutableRawBufferPointer) -> R) -> R {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
    defer { buffer.deallocate() }
    if bytes.count > 0 {
        bytes.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
    }
    return body(buffer)
}

// MARK: - HTTP/2 preface

let prefaceBytes = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

func checkPreface(_ input: [UInt8]) {
    let expected: HTTP2Preface.Match
    if input.count >= prefaceBytes.count {
        expected = input.starts(with: prefaceBytes) ? .http2 : .http1
    } else {
        expected = prefaceBytes.starts(with: input) ? .undecided : .http1
    }
    let match = withExactCopy(input[...]) { HTTP2Preface.match(UnsafeRawBufferPointer($0)) }
    require(match == expected, "HTTP2Preface.match gave \(match), expected \(expected)")
}

// MARK: - Head parsing

let sentinel = HeaderEntry(name: ByteRange(start: -7, count: -7), value: ByteRange(start: -7, count: -7))

/// What one way of feeding a request to the parser ended with.
struct HeadOutcome {
    var result: HeadParseResult
    var headers: [HeaderEntry]
    /// The refusal came from a limit check (414/431) on an incomplete prefix of the bytes.
    var refusedOnPrefixLimit = false
}

/// A header table allocated at its exact size and filled with `sentinel`.
final class HeaderTable {
    let entries: UnsafeMutableBufferPointer<HeaderEntry>

    init(count: Int) {
        entries = .allocate(capacity: count)
        entries.initialize(repeating: sentinel)
    }

    deinit {
        entries.deallocate()
    }

    /// The entries of a complete head; checks that nothing was written past them.
    func headers(for result: HeadParseResult, tableCount: Int) -> [HeaderEntry] {
        guard case .complete(let head) = result else { return [] }
        require(head.headerCount >= 0 && head.headerCount <= tableCount,
                "headerCount \(head.headerCount) outside the table of \(tableCount)")
        for index in head.headerCount..<tableCount {
            require(entries[index] == sentinel, "header table entry \(index) written past headerCount \(head.headerCount)")
        }
        return Array(entries[0..<head.headerCount])
    }
}

func isLimitRefusal(_ result: HeadParseResult) -> Bool {
    if case .failed(let error) = result { return error.status == 414 || error.status == 431 }
    return false
}

/// Parses `request` with `parser` in one call.
func parseWhole(_ request: ArraySlice<UInt8>, parser: inout HTTP1RequestParser, config: FuzzConfig) -> HeadOutcome {
    let table = HeaderTable(count: config.tableCount)
    let result = withExactCopy(request) { parser.parseHead(UnsafeRawBufferPointer($0), headers: table.entries) }
    return HeadOutcome(result: result, headers: table.headers(for: result, tableCount: config.tableCount))
}

/// Parses `request` in two calls, the first with `request[..<split]` only. Each call gets its own
/// exact-size copy: the parser keeps offsets, never pointers, so the bytes may move between calls.
func parseSplit(_ request: [UInt8], at split: Int, config: FuzzConfig) -> HeadOutcome {
    var parser = HTTP1RequestParser(limits: config.limits)
    let table = HeaderTable(count: config.tableCount)
    let first = withExactCopy(request[..<split]) { parser.parseHead(UnsafeRawBufferPointer($0), headers: table.entries) }
    if first != .needMore {
        return HeadOutcome(
            result: first, headers: table.headers(for: first, tableCount: config.tableCount),
            refusedOnPrefixLimit: split < request.count && isLimitRefusal(first))
    }
    let second = withExactCopy(request[...]) { parser.parseHead(UnsafeRawBufferPointer($0), headers: table.entries) }
    return HeadOutcome(result: second, headers: table.headers(for: second, tableCount: config.tableCount))
}

/// Offers `request[..<end]` for end = 0, 1, 2, ... as a slow client would send it.
func parseByteByByte(_ request: [UInt8], config: FuzzConfig) -> (HeadOutcome, completedAt: Int?) {
    var parser = HTTP1RequestParser(limits: config.limits)
    let table = HeaderTable(count: config.tableCount)
    return withExactCopy(request[...]) { buffer in
        let all = UnsafeRawBufferPointer(buffer)
        for end in 0...all.count {
            let result = parser.parseHead(UnsafeRawBufferPointer(rebasing: all[0..<end]), headers: table.entries)
            if result != .needMore {
                let outcome = HeadOutcome(
                    result: result, headers: table.headers(for: result, tableCount: config.tableCount),
                    refusedOnPrefixLimit: end < all.count && isLimitRefusal(result))
                return (outcome, end)
            }
        }
        return (HeadOutcome(result: .needMore, headers: []), nil)
    }
}

/// Two ways of feeding the same bytes must end the same way. Exception (unless
/// FUZZ_STRICT_SPLIT is set): when the bytes are refused either way and the other way's refusal
/// was a 414/431 limit check on a prefix. The limit checks on an incomplete head run on the bytes
/// received so far, so they can fire before a syntax error further on (e.g. a bare LF past the
/// limit) is seen; one piece reports the syntax error (400), a slow client the limit. Both refuse
/// and close, only the status differs.
func requireAgreement(
    _ reference: HeadOutcome, _ other: HeadOutcome, _ how: String, _ request: [UInt8], _ config: FuzzConfig
) {
    if reference.result == other.result {
        require(reference.headers == other.headers,
                "\(config.name): header table differs \(how) for \(hex(request))")
        return
    }
    if !strictRefusalAgreement, other.refusedOnPrefixLimit, case .failed = reference.result { return }
    require(false, "\(config.name): parsed in one piece: \(reference.result), \(how): \(other.result); request \(hex(request))")
}

/// All the head checks for one request (the bytes from its first byte to the end of the input).
func fuzzHead(_ request: [UInt8], config: FuzzConfig, reused: inout HTTP1RequestParser) -> HeadOutcome {
    var fresh = HTTP1RequestParser(limits: config.limits)
    let whole = parseWhole(request[...], parser: &fresh, config: config)

    let again = parseWhole(request[...], parser: &reused, config: config)
    require(again.result == whole.result && again.headers == whole.headers,
            "\(config.name): a reset parser gave \(again.result), a fresh one \(whole.result); request \(hex(request))")

    let split = request.isEmpty ? 0 : config.splitSeed % (request.count + 1)
    requireAgreement(whole, parseSplit(request, at: split, config: config), "split at \(split)", request, config)

    let (slow, completedAt) = parseByteByByte(request, config: config)
    requireAgreement(whole, slow, "byte by byte", request, config)

    switch whole.result {
    case .needMore:
        break
    case .failed(let error):
        require([400, 413, 414, 417, 431, 501, 505].contains(error.status), "unexpected status \(error)")
    case .complete(let head):
        require(completedAt == head.length,
                "\(config.name): byte by byte completed at \(completedAt ?? -1), head length \(head.length)")
        checkHead(request, head, whole.headers, config)
        if head.length < request.count {
            // What follows the head (body, pipelined requests) must not change the head.
            var parser = HTTP1RequestParser(limits: config.limits)
            let alone = parseWhole(request[..<head.length], parser: &parser, config: config)
            require(alone.result == whole.result && alone.headers == whole.headers,
                    "\(config.name): the head alone parses as \(alone.result), with what follows as \(whole.result)")
        }
    }
    return whole
}

// MARK: - Byte classes (an independent copy of RFC 9110 §5.6)

let tokenPunctuation = Array("!#$%&'*+-.^_`|~".utf8)

func isToken(_ byte: UInt8) -> Bool {
    (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122)
        || tokenPunctuation.contains(byte)
}

func isFieldValue(_ byte: UInt8) -> Bool { byte == 9 || (byte >= 32 && byte != 127) }
func isWhitespace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
func lower(_ byte: UInt8) -> UInt8 { byte >= 65 && byte <= 90 ? byte + 32 : byte }

let cr: UInt8 = 13
let lf: UInt8 = 10

extension Array where Element == UInt8 {
    subscript(range: ByteRange) -> ArraySlice<UInt8> { self[Int(range.start)..<range.end] }

    func equalsIgnoringCase(_ range: ByteRange, _ lowercase: String) -> Bool {
        self[range].map(lower).elementsEqual(lowercase.utf8)
    }

    func text(_ range: ByteRange) -> String { String(decoding: self[range], as: UTF8.self) }
}

/// Comma-separated list elements with OWS trimmed (empty elements kept).
func listElements(_ bytes: [UInt8], _ value: ByteRange) -> [ByteRange] {
    var elements: [ByteRange] = []
    var start = Int(value.start)
    while start <= value.end {
        var stop = start
        while stop < value.end && bytes[stop] != 44 { stop += 1 }
        var first = start
        var last = stop
        while first < last && isWhitespace(bytes[first]) { first += 1 }
        while last > first && isWhitespace(bytes[last - 1]) { last -= 1 }
        elements.append(ByteRange(start: first, count: last - first))
        start = stop + 1
    }
    return elements
}

// MARK: - A complete head against the bytes

let knownMethods: [String: HTTPMethod] = [
    "GET": .get, "HEAD": .head, "POST": .post, "PUT": .put, "DELETE": .delete,
    "PATCH": .patch, "OPTIONS": .options, "TRACE": .trace, "CONNECT": .connect,
]

func checkHead(_ bytes: [UInt8], _ head: RequestHead, _ headers: [HeaderEntry], _ config: FuzzConfig) {
    let limits = config.limits
    let length = head.length
    func fail(_ what: String) -> Never {
        fatalError("HTTPParserFuzzer: invariant broken (\(config.name)): \(what); head \(head); request \(hex(bytes))")
    }
    func check(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fail(what()) }
    }
    func checkInside(_ range: ByteRange?, _ what: String) {
        guard let range else { return }
        check(range.start >= 0 && range.count >= 0 && range.end <= length, "\(what) \(range) outside the head 0..<\(length)")
    }

    // The head is a prefix of the bytes and ends with an empty line.
    check(length >= 4 && length <= bytes.count, "head length \(length) outside the buffer of \(bytes.count)")
    check(Array(bytes[(length - 4)..<length]) == [cr, lf, cr, lf], "head does not end with CRLF CRLF")
    for (range, what) in [(head.methodRange, "method"), (head.target, "target"), (head.path, "path")] {
        checkInside(range, what)
    }
    checkInside(head.query, "query")
    checkInside(head.host, "host")
    for (index, header) in headers.enumerated() {
        checkInside(header.name, "name of header \(index)")
        checkInside(header.value, "value of header \(index)")
    }

    // Up to two empty lines, then: method SP target SP HTTP-version CRLF.
    let leading = Int(head.methodRange.start)
    check(leading == 0 || leading == 2 || leading == 4, "request line starts at \(leading)")
    for index in stride(from: 0, to: leading, by: 2) {
        check(bytes[index] == cr && bytes[index + 1] == lf, "bytes before the request line are not CRLFs")
    }
    check(head.methodRange.count > 0 && bytes[head.methodRange].allSatisfy(isToken), "method is not a token")
    check(bytes[head.methodRange.end] == 32, "no SP after the method")
    check(Int(head.target.start) == head.methodRange.end + 1 && head.target.count > 0, "target does not follow the method")
    check(bytes[head.target].allSatisfy { $0 > 32 && $0 < 127 }, "target has a byte outside VCHAR")
    check(bytes[head.target.end] == 32, "no SP after the target")
    let versionStart = head.target.end + 1
    let requestLineEnd = versionStart + 8
    check(requestLineEnd + 2 <= length, "request line runs past the head")
    let version = String(decoding: bytes[versionStart..<requestLineEnd], as: UTF8.self)
    check(version == (head.version == .http1_1 ? "HTTP/1.1" : "HTTP/1.0"), "version \(version) reported as \(head.version)")
    check(bytes[requestLineEnd] == cr && bytes[requestLineEnd + 1] == lf, "request line does not end after the version")
    check(requestLineEnd - leading <= limits.maxRequestLineBytes, "request line longer than the limit")
    check(length - (requestLineEnd + 2) <= limits.maxHeaderBytes, "header section larger than the limit")

    // Method.
    let methodText = bytes.text(head.methodRange)
    check(head.method == (knownMethods[methodText] ?? .other), "method \(methodText) recognised as \(head.method)")
    check(head.method != .connect, "CONNECT accepted")

    // Target: asterisk-form, origin-form or absolute-form; path, then "?" query; no fragment.
    let target = bytes[head.target]
    check(!target.contains(35), "fragment in an accepted target")
    if target.elementsEqual([42]) {
        check(head.method == .options, "asterisk-form for \(head.method)")
        check(head.path == head.target && head.query == nil, "asterisk-form path/query")
    } else {
        check(Int(head.path.start) >= Int(head.target.start) && head.path.end <= head.target.end, "path outside the target")
        if bytes[Int(head.target.start)] == 47 {
            check(head.path.start == head.target.start, "origin-form path does not start the target")
        } else {
            let lowered = target.map(lower)
            let scheme = lowered.starts(with: Array("http://".utf8)) ? 7 : lowered.starts(with: Array("https://".utf8)) ? 8 : 0
            check(scheme > 0, "absolute-form target without http(s)://")
            let authority = Int(head.target.start) + scheme
            check(Int(head.path.start) > authority, "absolute-form target without authority")
            check(!bytes[authority..<Int(head.path.start)].contains { $0 == 47 || $0 == 63 }, "authority contains / or ?")
            check(head.path.count == 0 || bytes[Int(head.path.start)] == 47, "absolute-form path does not start with /")
        }
        check(!bytes[head.path].contains(63), "path contains ?")
        if let query = head.query {
            check(bytes[head.path.end] == 63 && Int(query.start) == head.path.end + 1 && query.end == head.target.end,
                  "query \(query) does not follow the path")
        } else {
            check(head.path.end == head.target.end, "path \(head.path) does not end the target")
        }
    }

    // Header lines: contiguous, name ":" OWS value OWS CRLF, then the empty line.
    check(head.headerCount == headers.count, "headerCount \(head.headerCount) vs \(headers.count) entries")
    check(headers.count <= limits.maxHeaderCount && headers.count <= config.tableCount, "more headers than allowed")
    var lineStart = requestLineEnd + 2
    for (index, header) in headers.enumerated() {
        check(Int(header.name.start) == lineStart, "header \(index) does not start its line")
        check(header.name.count > 0 && bytes[header.name].allSatisfy(isToken), "header \(index) name is not a token")
        check(bytes[header.name.end] == 58, "header \(index) name not followed by a colon")
        var lineEnd = header.name.end + 1
        while lineEnd < length && bytes[lineEnd] != cr { lineEnd += 1 }
        check(lineEnd + 1 < length - 1 && bytes[lineEnd + 1] == lf, "header \(index) line does not end with CRLF")
        let afterColon = header.name.end + 1
        check(bytes[afterColon..<lineEnd].allSatisfy(isFieldValue), "header \(index) value has a forbidden byte")
        let value = header.value
        check(Int(value.start) >= afterColon && value.end <= lineEnd, "header \(index) value outside its line")
        check(bytes[afterColon..<Int(value.start)].allSatisfy(isWhitespace), "header \(index) value does not start after OWS")
        check(bytes[value.end..<lineEnd].allSatisfy(isWhitespace), "header \(index) value does not end before OWS")
        if value.count > 0 {
            check(!isWhitespace(bytes[Int(value.start)]) && !isWhitespace(bytes[value.end - 1]), "header \(index) value not trimmed")
        }
        lineStart = lineEnd + 2
    }
    check(lineStart == length - 2, "header lines end at \(lineStart), the empty line is at \(length - 2)")

    checkSemantics(bytes, head, headers, limits, fail: fail)
}

/// An independent model of HeaderSemantics for an accepted head.
func checkSemantics(
    _ bytes: [UInt8], _ head: RequestHead, _ headers: [HeaderEntry], _ limits: HTTP1Limits, fail: (String) -> Never
) {
    func check(_ condition: Bool, _ what: @autoclosure () -> String) {
        if !condition { fail(what()) }
    }
    func values(_ name: String) -> [ByteRange] {
        headers.filter { bytes.equalsIgnoringCase($0.name, name) }.map(\.value)
    }
    let isHTTP11 = head.version == .http1_1

    // Host: at most one, required in HTTP/1.1, only host characters.
    let hosts = values("host")
    check(hosts.count <= 1, "\(hosts.count) Host headers accepted")
    check(!isHTTP11 || hosts.count == 1, "HTTP/1.1 request without Host accepted")
    check(head.host == hosts.first, "host \(String(describing: head.host)), Host header \(String(describing: hosts.first))")
    let hostPunctuation = Array("-.:[]_~%!$&'()*+,;=".utf8)
    for host in hosts {
        check(bytes[host].allSatisfy { ($0 >= 48 && $0 <= 57) || (lower($0) >= 97 && lower($0) <= 122) || hostPunctuation.contains($0) },
              "invalid Host \(bytes.text(host)) accepted")
    }

    // Framing: Transfer-Encoding exactly "chunked" (HTTP/1.1, no Content-Length), or one
    // Content-Length of 1...15 digits within the body limit, or nothing.
    let lengths = values("content-length")
    let codings = values("transfer-encoding")
    if !codings.isEmpty {
        check(isHTTP11, "Transfer-Encoding accepted in HTTP/1.0")
        check(lengths.isEmpty, "Transfer-Encoding accepted with Content-Length")
        let elements = codings.flatMap { listElements(bytes, $0) }
        check(elements.count == 1 && bytes.equalsIgnoringCase(elements[0], "chunked"),
              "Transfer-Encoding \(codings.map { bytes.text($0) }) accepted")
        check(head.framing == .chunked, "Transfer-Encoding: chunked framed as \(head.framing)")
    } else if let value = lengths.first {
        check(lengths.count == 1, "\(lengths.count) Content-Length headers accepted")
        let digits = bytes[value]
        check(digits.count >= 1 && digits.count <= 15 && digits.allSatisfy { $0 >= 48 && $0 <= 57 },
              "Content-Length \(bytes.text(value)) accepted")
        let contentLength = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        check(contentLength <= limits.maxBodyBytes, "Content-Length \(contentLength) over the limit accepted")
        check(head.framing == (contentLength > 0 ? .contentLength(contentLength) : .none),
              "Content-Length \(contentLength) framed as \(head.framing)")
    } else {
        check(head.framing == .none, "no framing header, framed as \(head.framing)")
    }

    // Connection: close / keep-alive, other options tokens.
    var close = false
    var keepAlive = false
    for value in values("connection") {
        for element in listElements(bytes, value) {
            if bytes.equalsIgnoringCase(element, "close") {
                close = true
            } else if bytes.equalsIgnoringCase(element, "keep-alive") {
                keepAlive = true
            } else {
                check(bytes[element].allSatisfy(isToken), "invalid Connection option \(bytes.text(element)) accepted")
            }
        }
    }
    check(head.keepAlive == (isHTTP11 ? !close : keepAlive && !close), "keepAlive \(head.keepAlive), close \(close), keep-alive \(keepAlive)")

    // Expect: only 100-continue in HTTP/1.1; it counts only with a body.
    let expectations = values("expect")
    let continues = expectations.contains { bytes.equalsIgnoringCase($0, "100-continue") }
    if isHTTP11 {
        check(expectations.allSatisfy { bytes.equalsIgnoringCase($0, "100-continue") }, "unsupported expectation accepted")
    }
    check(head.expectsContinue == (continues && isHTTP11 && head.framing != .none),
          "expectsContinue \(head.expectsContinue) with Expect \(expectations.map { bytes.text($0) })")
}

// MARK: - Chunked bodies

/// A straightforward chunked decoder written from RFC 9112 §7.1 and the decoder's documented
/// limits and error reasons, over the whole request at once.
func referenceChunked(_ bytes: [UInt8], bodyStart: Int, limits: HTTP1Limits) -> (ChunkedBodyDecoder.Progress, [UInt8]) {
    var body: [UInt8] = []
    var index = bodyStart
    func bad(_ reason: StaticString) -> (ChunkedBodyDecoder.Progress, [UInt8]) {
        (.failed(HTTPParseError(status: 400, reason: reason)), body)
    }
    let tooLarge = HTTPParseError(status: 413, reason: "body too large")
    let needMore = ChunkedBodyDecoder.Progress.needMore
    while true {
        // chunk-size [ BWS ";" chunk-ext ] CRLF
        var size: UInt64 = 0
        var digits = 0
        var sawCR = false
        while !sawCR {
            guard index < bytes.count else { return (needMore, body) }
            let byte = bytes[index]
            index += 1
            if let digit = hexDigit(byte) {
                digits += 1
                guard digits <= 16 else { return bad("chunk size too long") }
                size = size << 4 | digit
                guard size <= UInt64(limits.maxBodyBytes) else { return (.failed(tooLarge), body) }
                continue
            }
            guard digits > 0 else { return bad("invalid chunk size") }
            var inExtension = false
            if byte == cr {
                sawCR = true
            } else if byte == 59 {
                inExtension = true
            } else if isWhitespace(byte) {
                while true {
                    guard index < bytes.count else { return (needMore, body) }
                    let next = bytes[index]
                    index += 1
                    if next == 59 {
                        inExtension = true
                        break
                    }
                    guard isWhitespace(next) else { return bad("invalid chunk size") }
                }
            } else {
                return bad("invalid chunk size")
            }
            if inExtension {
                while true {
                    guard index < bytes.count else { return (needMore, body) }
                    let next = bytes[index]
                    index += 1
                    if next == cr { break }
                    guard isFieldValue(next) else { return bad("invalid chunk extension") }
                }
                sawCR = true
            }
        }
        guard index < bytes.count else { return (needMore, body) }
        guard bytes[index] == lf else { return bad("chunk size line without CRLF") }
        index += 1
        if size == 0 { break }
        guard body.count + Int(size) <= limits.maxBodyBytes else { return (.failed(tooLarge), body) }
        let available = min(Int(size), bytes.count - index)
        body += bytes[index..<(index + available)]
        index += available
        guard available == Int(size) else { return (needMore, body) }
        guard index < bytes.count else { return (needMore, body) }
        guard bytes[index] == cr else { return bad("chunk data longer than its size") }
        index += 1
        guard index < bytes.count else { return (needMore, body) }
        guard bytes[index] == lf else { return bad("chunk data without CRLF") }
        index += 1
    }
    // trailer-section CRLF
    var trailerCount = 0
    var trailerBytes = 0
    while true {
        guard index < bytes.count else { return (needMore, body) }
        let lineStart = index
        index += 1
        if bytes[lineStart] == cr {
            guard index < bytes.count else { return (needMore, body) }
            guard bytes[index] == lf else { return bad("chunked body without final CRLF") }
            return (.complete(end: index + 1), body)
        }
        // The first byte of a trailer line is taken as it is; then up to CR, no bare LF.
        while true {
            guard index < bytes.count else { return (needMore, body) }
            let byte = bytes[index]
            index += 1
            if byte == cr { break }
            if byte == lf { return bad("bare LF in trailer") }
        }
        guard index < bytes.count else { return (needMore, body) }
        guard bytes[index] == lf else { return bad("trailer line without CRLF") }
        index += 1
        trailerCount += 1
        trailerBytes += index - lineStart
        guard trailerCount <= limits.maxHeaderCount else {
            return (.failed(HTTPParseError(status: 431, reason: "too many header fields")), body)
        }
        guard trailerBytes <= limits.maxHeaderBytes else {
            return (.failed(HTTPParseError(status: 431, reason: "header section too large")), body)
        }
        if let error = fieldLineError(bytes, start: lineStart, end: index - 2) { return (.failed(error), body) }
    }
}

func hexDigit(_ byte: UInt8) -> UInt64? {
    switch byte {
    case 48...57: UInt64(byte - 48)
    case 65...70: UInt64(byte - 55)
    case 97...102: UInt64(byte - 87)
    default: nil
    }
}

/// field-line = field-name ":" OWS field-value OWS, with the parser's error reasons.
func fieldLineError(_ bytes: [UInt8], start: Int, end: Int) -> HTTPParseError? {
    func bad(_ reason: StaticString) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
    if isWhitespace(bytes[start]) { return bad("obsolete line folding") }
    var index = start
    while index < end && isToken(bytes[index]) { index += 1 }
    guard index < end else { return bad("header line without colon") }
    if bytes[index] != 58 {
        return isWhitespace(bytes[index]) ? bad("whitespace before colon") : bad("invalid character in header name")
    }
    guard index > start else { return bad("empty header name") }
    guard bytes[(index + 1)..<end].allSatisfy(isFieldValue) else { return bad("invalid character in header value") }
    return nil
}

/// All the chunked-body checks for one request; returns where the next request starts, if the
/// body is complete.
func fuzzChunkedBody(_ request: [UInt8], head: RequestHead, config: FuzzConfig) -> Int? {
    let bodyStart = head.length
    let limits = config.limits
    func describe() -> String { "\(config.name): chunked body of \(hex(request))" }

    // 1. In one piece, over an exact-size copy.
    var decoder = ChunkedBodyDecoder(bodyStart: bodyStart, limits: limits)
    let (progress, decoded, after) = withExactCopy(request[...]) { buffer in
        let progress = decoder.decode(buffer)
        let range = decoder.decodedBody
        require(Int(range.start) == bodyStart && range.count >= 0 && range.end <= buffer.count,
                "decodedBody \(range) outside \(bodyStart)..<\(buffer.count); \(describe())")
        require(Int(range.count) <= limits.maxBodyBytes, "decoded \(range.count) bytes over the limit; \(describe())")
        return (progress, Array(buffer[Int(range.start)..<range.end]), Array(buffer))
    }
    require(after[..<bodyStart].elementsEqual(request[..<bodyStart]), "the decoder changed the head; \(describe())")
    switch progress {
    case .complete(let end):
        require(end >= bodyStart + 5 && end <= request.count, "complete(end: \(end)) outside the request; \(describe())")
        require(bodyStart + decoded.count <= end, "decoded body runs past its end; \(describe())")
        require(after[end...].elementsEqual(request[end...]), "the decoder changed pipelined bytes after \(end); \(describe())")
    case .failed(let error):
        require([400, 413, 431].contains(error.status), "unexpected status \(error); \(describe())")
    case .needMore:
        break
    }

    // 2. Against the reference decoder.
    let (expected, expectedBody) = referenceChunked(request, bodyStart: bodyStart, limits: limits)
    require(progress == expected, "decoder: \(progress), reference: \(expected); \(describe())")
    require(decoded == expectedBody, "decoded \(hex(decoded)), reference \(hex(expectedBody)); \(describe())")

    // 3. Byte by byte, the buffer growing in place.
    var slow = ChunkedBodyDecoder(bodyStart: bodyStart, limits: limits)
    let (slowProgress, slowDecoded) = withExactCopy(request[...]) { buffer in
        var last = ChunkedBodyDecoder.Progress.needMore
        for end in bodyStart...buffer.count {
            last = slow.decode(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<end]))
            if last != .needMore { break }
        }
        let range = slow.decodedBody
        return (last, Array(buffer[Int(range.start)..<range.end]))
    }
    require(slowProgress == progress && slowDecoded == decoded,
            "byte by byte: \(slowProgress), \(hex(slowDecoded)); in one piece: \(progress), \(hex(decoded)); \(describe())")

    // 4. In pieces, reusing the space of consumed framing bytes between them, as the server does.
    var pieces = ChunkedBodyDecoder(bodyStart: bodyStart, limits: limits)
    let work = UnsafeMutableRawBufferPointer.allocate(byteCount: request.count, alignment: 1)
    defer { work.deallocate() }
    request.withUnsafeBytes { work.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: bodyStart) }
    var filled = bodyStart
    var next = bodyStart
    var shift = 0
    var piecesProgress = ChunkedBodyDecoder.Progress.needMore
    repeat {
        let take = min(config.pieceSize, request.count - next)
        request.withUnsafeBytes { (work.baseAddress! + filled).copyMemory(from: $0.baseAddress! + next, byteCount: take) }
        filled += take
        next += take
        piecesProgress = pieces.decode(UnsafeMutableRawBufferPointer(rebasing: work[0..<filled]))
        if piecesProgress != .needMore { break }
        let before = pieces.decodedBody
        let position = pieces.discardConsumedInput()
        require(pieces.decodedBody == before, "discardConsumedInput changed decodedBody; \(describe())")
        require(position >= before.end && position <= filled,
                "discardConsumedInput returned \(position), decoded up to \(before.end), \(filled) bytes held; \(describe())")
        shift += filled - position
        filled = position
    } while next < request.count
    let piecesRange = pieces.decodedBody
    let piecesDecoded = Array(work[Int(piecesRange.start)..<piecesRange.end])
    let translated: ChunkedBodyDecoder.Progress
    if case .complete(let end) = piecesProgress {
        translated = .complete(end: end + shift)
        require(work[end..<filled].elementsEqual(request[(end + shift)..<next]),
                "bytes after the body changed when decoded in pieces; \(describe())")
    } else {
        translated = piecesProgress
    }
    require(translated == progress && piecesDecoded == decoded,
            "in pieces of \(config.pieceSize): \(piecesProgress) (shift \(shift)), \(hex(piecesDecoded)); "
                + "in one piece: \(progress), \(hex(decoded)); \(describe())")

    if case .complete(let end) = progress { return end }
    return nil
}

// MARK: - A connection

/// Parses the requests on one connection one after the other, with all the checks.
func fuzzConnection(_ input: [UInt8], _ config: FuzzConfig) {
    var offset = 0
    var reused = HTTP1RequestParser(limits: config.limits)
    for _ in 0..<maxRequestsPerInput {
        let request = Array(input[offset...])
        let outcome = fuzzHead(request, config: config, reused: &reused)
        guard case .complete(let head) = outcome.result else { return }
        let next: Int
        switch head.framing {
        case .none:
            next = head.length
        case .contentLength(let length):
            guard head.length + length <= request.count else { return }
            next = head.length + length
        case .chunked:
            guard let end = fuzzChunkedBody(request, head: head, config: config) else { return }
            next = end
        }
        require(next > 0, "a request of no bytes")
        offset += next
        if offset >= input.count { return }
        reused.reset()
    }
}
