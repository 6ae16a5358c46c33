#if canImport(Glibc)
import Glibc
#endif

/// A strict HTTP/1.1 response head parser (RFC 9112), without I/O or allocation: the
/// client's counterpart of `HTTP1RequestParser`.
///
/// Call `parseHead` with all bytes received so far for the current exchange (starting at the
/// first byte after the request was sent); it remembers how far it has scanned. Interim
/// (1xx) responses are skipped: the final head's `length` covers them. Limits come from
/// `HTTP1Limits` (the status line counts against `maxRequestLineBytes`). Errors carry status
/// 502: a response we cannot frame is a bad gateway to whoever asked us.
public struct HTTP1ResponseParser: Sendable {
    public let limits: HTTP1Limits
    /// The method of the request this answers: a HEAD response has no body.
    public var requestMethod: HTTPMethod
    /// Start of the head being scanned (after skipped interim responses).
    private var headStart = 0
    private var scanned = 0
    private var statusLineEnd = -1
    private var lineStart = 0
    private var interimResponses = 0
    /// Interim responses tolerated before the final one.
    static let maxInterimResponses = 8

    public init(limits: HTTP1Limits, requestMethod: HTTPMethod = .get) {
        self.limits = limits
        self.requestMethod = requestMethod
    }

    /// Forgets progress, ready for the next response.
    public mutating func reset(requestMethod: HTTPMethod) {
        self = HTTP1ResponseParser(limits: limits, requestMethod: requestMethod)
    }

    /// Looks for a complete final head in `bytes` and parses it into a head and `headers`.
    public mutating func parseHead(
        _ bytes: UnsafeRawBufferPointer,
        headers: UnsafeMutableBufferPointer<HeaderEntry>
    ) -> ResponseHeadParseResult {
        guard let base = bytes.baseAddress else { return .needMore }
        var position = max(scanned, headStart)
        while position < bytes.count {
            guard let found = memchr(base + position, Int32(ByteClass.lf), bytes.count - position) else { break }
            let lf = base.distance(to: UnsafeRawPointer(found))
            guard lf > headStart, bytes[lf - 1] == ByteClass.cr else { return .failed(Self.bad("bare LF as line terminator")) }
            if statusLineEnd < 0 {
                statusLineEnd = lf - 1
                if statusLineEnd - headStart > limits.maxRequestLineBytes { return .failed(Self.bad("status line too long")) }
            } else if lf - 1 == lineStart {
                let length = lf + 1
                if length - (statusLineEnd + 2) > limits.maxHeaderBytes { return .failed(Self.headersTooLarge) }
                switch parseCompleteHead(bytes, length: length, headers: headers) {
                case .failure(let error):
                    return .failed(error)
                case .success(let head) where (100...199).contains(head.status):
                    // Interim response (100 Continue, 103 Early Hints): skip it, parse what follows.
                    interimResponses += 1
                    guard interimResponses <= Self.maxInterimResponses else { return .failed(Self.bad("too many interim responses")) }
                    headStart = length
                    statusLineEnd = -1
                    lineStart = length
                    position = length
                    scanned = length
                    continue
                case .success(var head):
                    head.length = length
                    return .complete(head)
                }
            }
            lineStart = lf + 1
            position = lf + 1
        }
        scanned = bytes.count
        if statusLineEnd < 0 {
            if bytes.count - headStart > limits.maxRequestLineBytes + 1 { return .failed(Self.bad("status line too long")) }
        } else if bytes.count - (statusLineEnd + 2) > limits.maxHeaderBytes {
            return .failed(Self.headersTooLarge)
        }
        return .needMore
    }

    static let headersTooLarge = HTTPParseError(status: 502, reason: "response header section too large")
    static let tooManyHeaders = HTTPParseError(status: 502, reason: "too many response header fields")

    static func bad(_ reason: StaticString) -> HTTPParseError { HTTPParseError(status: 502, reason: reason) }

    private func parseCompleteHead(
        _ bytes: UnsafeRawBufferPointer,
        length: Int,
        headers: UnsafeMutableBufferPointer<HeaderEntry>
    ) -> Result<ResponseHead, HTTPParseError> {
        var head = ResponseHead()
        if let error = Self.parseStatusLine(bytes, start: headStart, end: statusLineEnd, into: &head) { return .failure(error) }
        var semantics = ResponseHeaderSemantics()
        var lineStart = statusLineEnd + 2
        let headEnd = length - 2
        var count = 0
        while lineStart < headEnd {
            let lineEnd = HTTP1RequestParser.crlf(in: bytes, from: lineStart)
            guard count < limits.maxHeaderCount, count < headers.count else { return .failure(Self.tooManyHeaders) }
            switch HTTP1RequestParser.parseField(bytes, start: lineStart, end: lineEnd) {
            case .failure(let error):
                return .failure(HTTPParseError(status: 502, reason: error.reason))
            case .success(let entry):
                headers[count] = entry
                count += 1
                if let error = semantics.observe(entry, in: bytes) { return .failure(error) }
            }
            lineStart = lineEnd + 2
        }
        head.headerCount = count
        if (100...199).contains(head.status) { return .success(head) }
        if let error = semantics.finish(into: &head, requestMethod: requestMethod, limits: limits) { return .failure(error) }
        return .success(head)
    }

    /// status-line = HTTP-version SP status-code SP [ reason-phrase ]. A missing SP after the
    /// code is tolerated (some servers send "HTTP/1.1 200"); the reason is never interpreted.
    private static func parseStatusLine(
        _ bytes: UnsafeRawBufferPointer,
        start: Int,
        end: Int,
        into head: inout ResponseHead
    ) -> HTTPParseError? {
        guard end - start >= 12,
            bytes[start] == 72, bytes[start + 1] == 84, bytes[start + 2] == 84, bytes[start + 3] == 80,
            bytes[start + 4] == 47, bytes[start + 5] == 49, bytes[start + 6] == 46
        else { return bad("malformed status line") }
        switch bytes[start + 7] {
        case 49: head.version = .http1_1
        case 48: head.version = .http1_0
        default: return bad("unsupported HTTP version in response")
        }
        guard bytes[start + 8] == ByteClass.space else { return bad("malformed status line") }
        var code = 0
        for index in (start + 9)..<(start + 12) {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { return bad("malformed status code") }
            code = code * 10 + Int(byte - 48)
        }
        guard code >= 100 else { return bad("malformed status code") }
        head.status = code
        if code == 101 { return bad("unexpected protocol switch") }
        let afterCode = start + 12
        if afterCode == end {
            head.reason = ByteRange(start: afterCode, count: 0)
            return nil
        }
        guard bytes[afterCode] == ByteClass.space else { return bad("malformed status line") }
        for index in (afterCode + 1)..<end where !ByteClass.isFieldValue(bytes[index]) {
            return bad("invalid character in reason phrase")
        }
        head.reason = ByteRange(start: afterCode + 1, count: end - afterCode - 1)
        return nil
    }
}
