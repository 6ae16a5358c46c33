#if canImport(Glibc)
import Glibc
#endif

/// Limits the parser enforces; each has its own status when exceeded.
public struct HTTP1Limits: Sendable, Hashable {
    /// Request line bytes, without CRLF (414 beyond).
    public var maxRequestLineBytes = 4 * 1024
    /// Header section bytes after the request line, including CRLFs (431 beyond).
    public var maxHeaderBytes = 8 * 1024
    /// Header lines, and separately trailer lines (431 beyond).
    public var maxHeaderCount = 100
    /// Body bytes, after chunked decoding (413 beyond).
    public var maxBodyBytes = 1024 * 1024

    public init() {}

    /// Largest possible head in bytes: what a single buffer must be able to hold.
    public var maxHeadBytes: Int { maxRequestLineBytes + 2 + maxHeaderBytes }
}

/// The outcome of offering bytes to the head parser.
public enum HeadParseResult: Sendable, Hashable {
    /// No complete head yet and no limit exceeded: read more and call again.
    case needMore
    /// A complete, valid head; the body (if any) starts at `head.length`.
    case complete(RequestHead)
    /// The request is refused; answer with `error.status` and close.
    case failed(HTTPParseError)
}

/// A strict HTTP/1.1 request head parser (RFC 9112), without I/O or allocation.
///
/// Call `parseHead` with all bytes received so far for the current request (starting at
/// its first byte); it remembers how far it has scanned, so repeated calls as bytes
/// trickle in cost O(new bytes). Header entries go into a caller-provided table.
/// Everything ambiguous that request smuggling relies on is refused with 400.
public struct HTTP1RequestParser: Sendable {
    public let limits: HTTP1Limits
    private var scanned = 0
    private var requestLineEnd = -1
    private var lineStart = 0
    private var leading = 0
    /// Empty lines (CRLF) tolerated before a request line (RFC 9112 §2.2 asks for at least one).
    static let maxLeadingEmptyLines = 2

    public init(limits: HTTP1Limits) {
        self.limits = limits
    }

    /// Forgets progress, ready for the next request.
    public mutating func reset() {
        scanned = 0
        requestLineEnd = -1
        lineStart = 0
        leading = 0
    }

    /// Looks for a complete head in `bytes` and parses it into `head` and `headers`.
    public mutating func parseHead(
        _ bytes: UnsafeRawBufferPointer,
        headers: UnsafeMutableBufferPointer<HeaderEntry>
    ) -> HeadParseResult {
        guard let base = bytes.baseAddress else { return .needMore }
        if requestLineEnd < 0 {
            // Robustness (RFC 9112 §2.2): a few CRLFs before the request line are skipped
            // (some clients send one after a body); more than that is refused below.
            while leading + 1 < bytes.count, leading < 2 * Self.maxLeadingEmptyLines,
                bytes[leading] == ByteClass.cr, bytes[leading + 1] == ByteClass.lf
            {
                leading += 2
            }
            lineStart = max(lineStart, leading)
        }
        var position = max(scanned, leading)
        while position < bytes.count {
            guard let found = memchr(base + position, Int32(ByteClass.lf), bytes.count - position) else { break }
            let lf = base.distance(to: UnsafeRawPointer(found))
            guard lf > 0, bytes[lf - 1] == ByteClass.cr else { return .failed(.bad("bare LF as line terminator")) }
            if requestLineEnd < 0 {
                requestLineEnd = lf - 1
                if requestLineEnd == leading { return .failed(.bad("too many empty lines before the request line")) }
                if requestLineEnd - leading > limits.maxRequestLineBytes { return .failed(Self.requestLineTooLong) }
            } else if lf - 1 == lineStart {
                let length = lf + 1
                if length - (requestLineEnd + 2) > limits.maxHeaderBytes { return .failed(Self.headersTooLarge) }
                return parseCompleteHead(bytes, length: length, headers: headers)
            }
            lineStart = lf + 1
            position = lf + 1
        }
        scanned = bytes.count
        if requestLineEnd < 0 {
            if bytes.count - leading > limits.maxRequestLineBytes + 1 { return .failed(Self.requestLineTooLong) }
        } else if bytes.count - (requestLineEnd + 2) > limits.maxHeaderBytes {
            return .failed(Self.headersTooLarge)
        }
        return .needMore
    }

    static let requestLineTooLong = HTTPParseError(status: 414, reason: "request line too long")
    static let headersTooLarge = HTTPParseError(status: 431, reason: "header section too large")
    static let tooManyHeaders = HTTPParseError(status: 431, reason: "too many header fields")

    private func parseCompleteHead(
        _ bytes: UnsafeRawBufferPointer,
        length: Int,
        headers: UnsafeMutableBufferPointer<HeaderEntry>
    ) -> HeadParseResult {
        var head = RequestHead()
        head.length = length
        if let error = parseRequestLine(bytes, start: leading, end: requestLineEnd, into: &head) { return .failed(error) }
        var semantics = HeaderSemantics()
        var lineStart = requestLineEnd + 2
        let headEnd = length - 2
        var count = 0
        while lineStart < headEnd {
            // Every line in here ends with CRLF: the scan proved it.
            let lineEnd = Self.crlf(in: bytes, from: lineStart)
            guard count < limits.maxHeaderCount, count < headers.count else { return .failed(Self.tooManyHeaders) }
            switch Self.parseField(bytes, start: lineStart, end: lineEnd) {
            case .failure(let error):
                return .failed(error)
            case .success(let entry):
                headers[count] = entry
                count += 1
                if let error = semantics.observe(entry, in: bytes) { return .failed(error) }
            }
            lineStart = lineEnd + 2
        }
        head.headerCount = count
        if let error = semantics.finish(into: &head, limits: limits) { return .failed(error) }
        return .complete(head)
    }

    /// Position of the CR of the next CRLF at or after `start` (known to exist).
    @inline(__always)
    static func crlf(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let found = memchr(bytes.baseAddress! + start, Int32(ByteClass.lf), bytes.count - start)!
        return bytes.baseAddress!.distance(to: UnsafeRawPointer(found)) - 1
    }

    /// request-line = method SP request-target SP HTTP-version, single spaces only.
    private func parseRequestLine(
        _ bytes: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        into head: inout RequestHead
    ) -> HTTPParseError? {
        var index = start
        while index < end && ByteClass.isToken(bytes[index]) { index += 1 }
        guard index > start, index < end, bytes[index] == ByteClass.space else { return .bad("malformed method") }
        head.methodRange = ByteRange(start: start, count: index - start)
        head.method = HTTPMethod.recognise(bytes, head.methodRange)
        index += 1
        let targetStart = index
        while index < end && ByteClass.isTarget(bytes[index]) { index += 1 }
        guard index > targetStart, index < end, bytes[index] == ByteClass.space else {
            return .bad("malformed request target")
        }
        head.target = ByteRange(start: targetStart, count: index - targetStart)
        index += 1
        if let error = Self.parseVersion(bytes, start: index, end: end, into: &head) { return error }
        if head.method == .connect { return HTTPParseError(status: 501, reason: "CONNECT is not supported") }
        return Self.parseTarget(bytes, head: &head)
    }

    private static func parseVersion(
        _ bytes: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        into head: inout RequestHead
    ) -> HTTPParseError? {
        // HTTP-version = "HTTP" "/" DIGIT "." DIGIT, case-sensitive.
        guard end - start == 8,
            bytes[start] == 72, bytes[start + 1] == 84, bytes[start + 2] == 84, bytes[start + 3] == 80,
            bytes[start + 4] == 47, bytes[start + 6] == 46,
            (48...57).contains(bytes[start + 5]), (48...57).contains(bytes[start + 7])
        else { return .bad("malformed HTTP version") }
        switch (bytes[start + 5], bytes[start + 7]) {
        case (49, 49): head.version = .http1_1
        case (49, 48): head.version = .http1_0
        default: return HTTPParseError(status: 505, reason: "HTTP version not supported")
        }
        return nil
    }

    /// origin-form ("/path?query"), absolute-form ("http://host/path"), or "*" for OPTIONS.
    private static func parseTarget(_ bytes: UnsafeRawBufferPointer, head: inout RequestHead) -> HTTPParseError? {
        let start = Int(head.target.start)
        let end = head.target.end
        var pathStart = start
        if bytes[start] == 42 /* * */ {
            guard head.target.count == 1, head.method == .options else { return .bad("asterisk-form is for OPTIONS only") }
            head.path = head.target
            return nil
        }
        if bytes[start] != 47 /* / */ {
            // absolute-form: scheme "://" authority [path]
            guard let afterScheme = schemeEnd(bytes, start: start, end: end) else { return .bad("malformed request target") }
            pathStart = afterScheme
            while pathStart < end && bytes[pathStart] != 47 && bytes[pathStart] != 63 {
                // Only host[:port] characters: a "#" or "@" here would make other parsers
                // (proxies, caches) see another host or path than we do (RFC 9110 §4.2.4).
                guard isAuthorityByte(bytes[pathStart]) else { return .bad("invalid character in request target authority") }
                pathStart += 1
            }
            guard pathStart > afterScheme else { return .bad("absolute-form target without authority") }
            head.targetScheme = afterScheme - start == 8 ? .https : .http
            head.targetAuthority = ByteRange(start: afterScheme, count: pathStart - afterScheme)
        }
        var index = pathStart
        while index < end && bytes[index] != 63 /* ? */ && bytes[index] != 35 /* # */ { index += 1 }
        head.path = ByteRange(start: pathStart, count: index - pathStart)
        if index < end && bytes[index] == 63 {
            let queryStart = index + 1
            index = queryStart
            while index < end && bytes[index] != 35 { index += 1 }
            head.query = ByteRange(start: queryStart, count: index - queryStart)
        }
        if index < end { return .bad("fragment in request target") }
        return nil
    }

    /// unreserved / pct-encoded / sub-delims / ":" / "[" / "]" (RFC 3986 host and port; no userinfo).
    private static func isAuthorityByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 48...57, 65...90, 97...122: true  // ALPHA DIGIT
        case 45, 46, 95, 126: true  // - . _ ~
        case 37: true  // % (pct-encoded)
        case 33, 36, 38...44, 59, 61: true  // sub-delims ! $ & ' ( ) * + , ; =
        case 58, 91, 93: true  // : [ ]
        default: false
        }
    }

    /// After "http://" or "https://" (scheme case-insensitive), or nil.
    private static func schemeEnd(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> Int? {
        for (scheme, length) in [("http://", 7), ("https://", 8)] where end - start > length {
            var matches = true
            for (offset, expected) in scheme.utf8.enumerated()
            where ByteClass.lowercased(bytes[start + offset]) != expected {
                matches = false
                break
            }
            if matches { return start + length }
        }
        return nil
    }

    /// field-line = field-name ":" OWS field-value OWS
    static func parseField(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> Result<HeaderEntry, HTTPParseError> {
        if ByteClass.isWhitespace(bytes[start]) { return .failure(.bad("obsolete line folding")) }
        var index = start
        while index < end && ByteClass.isToken(bytes[index]) { index += 1 }
        guard index < end else { return .failure(.bad("header line without colon")) }
        if bytes[index] != ByteClass.colon {
            return .failure(ByteClass.isWhitespace(bytes[index]) ? .bad("whitespace before colon") : .bad("invalid character in header name"))
        }
        guard index > start else { return .failure(.bad("empty header name")) }
        let name = ByteRange(start: start, count: index - start)
        index += 1
        while index < end && ByteClass.isWhitespace(bytes[index]) { index += 1 }
        let valueStart = index
        var valueEnd = valueStart
        while index < end {
            let byte = bytes[index]
            guard ByteClass.isFieldValue(byte) else { return .failure(.bad("invalid character in header value")) }
            index += 1
            if !ByteClass.isWhitespace(byte) { valueEnd = index }
        }
        return .success(HeaderEntry(name: name, value: ByteRange(start: valueStart, count: valueEnd - valueStart)))
    }
}
