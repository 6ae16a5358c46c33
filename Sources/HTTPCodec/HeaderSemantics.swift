/// What the parser learns from the headers that decide framing and connection handling:
/// Content-Length, Transfer-Encoding, Host, Connection, Expect. Checked line by line as
/// they are parsed, concluded once the head is complete.
struct HeaderSemantics {
    private var contentLength: Int?
    private var contentLengthTooLarge = false
    private var transferEncodingSeen = false
    private var chunkedSeen = false
    private var chunkedIsFinal = false
    private var otherCodingSeen = false
    private var host: ByteRange?
    private var connectionClose = false
    private var connectionKeepAlive = false
    private var expectsContinue = false
    private var unsupportedExpectation = false

    /// Looks at one header line; returns an error as soon as one is certain.
    mutating func observe(_ entry: HeaderEntry, in bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        let name = entry.name
        // Dispatch on length first: most headers are none of these and cost one comparison.
        switch name.count {
        case 4 where bytes.equalsCaseInsensitive(name, "host"):
            guard host == nil else { return .bad("repeated Host") }
            guard Self.isValidHost(bytes, entry.value) else { return .bad("invalid Host") }
            host = entry.value
        case 6 where bytes.equalsCaseInsensitive(name, "expect"):
            if bytes.equalsCaseInsensitive(entry.value, "100-continue") {
                expectsContinue = true
            } else {
                unsupportedExpectation = true
            }
        case 10 where bytes.equalsCaseInsensitive(name, "connection"):
            return observeConnection(entry.value, in: bytes)
        case 14 where bytes.equalsCaseInsensitive(name, "content-length"):
            guard contentLength == nil && !contentLengthTooLarge else { return .bad("repeated Content-Length") }
            return observeContentLength(entry.value, in: bytes)
        case 17 where bytes.equalsCaseInsensitive(name, "transfer-encoding"):
            return observeTransferEncoding(entry.value, in: bytes)
        default:
            break
        }
        return nil
    }

    /// Decides framing and keep-alive once all lines are seen.
    func finish(into head: inout RequestHead, limits: HTTP1Limits) -> HTTPParseError? {
        let isHTTP11 = head.version == .http1_1
        if isHTTP11 && host == nil { return .bad("missing Host") }
        head.host = host
        if transferEncodingSeen {
            // RFC 9112 §6.1: TE with CL, or TE in HTTP/1.0, is a framing error.
            if contentLength != nil || contentLengthTooLarge { return .bad("Content-Length with Transfer-Encoding") }
            if !isHTTP11 { return .bad("Transfer-Encoding in an HTTP/1.0 request") }
            if otherCodingSeen && chunkedIsFinal { return HTTPParseError(status: 501, reason: "unsupported transfer coding") }
            if !chunkedIsFinal { return .bad("chunked is not the final transfer coding") }
            head.framing = .chunked
        } else if contentLengthTooLarge {
            return HTTPParseError(status: 413, reason: "body too large")
        } else if let contentLength {
            if contentLength > limits.maxBodyBytes { return HTTPParseError(status: 413, reason: "body too large") }
            head.framing = contentLength > 0 ? .contentLength(contentLength) : .none
        }
        if unsupportedExpectation && isHTTP11 { return HTTPParseError(status: 417, reason: "unsupported expectation") }
        // RFC 9110 §10.1.1: a 1.0 client's Expect is ignored.
        head.expectsContinue = expectsContinue && isHTTP11 && head.framing != .none
        head.keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        return nil
    }

    /// Content-Length = 1*DIGIT. Signs, spaces, lists ("5, 5") and empty values are refused.
    private mutating func observeContentLength(_ value: ByteRange, in bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        guard value.count > 0 else { return .bad("invalid Content-Length") }
        var total = 0
        for index in Int(value.start)..<value.end {
            let byte = bytes[index]
            guard byte >= 48 && byte <= 57 else { return .bad("invalid Content-Length") }
            // Beyond 15 digits no limit could allow it; stop before overflow.
            if index - Int(value.start) >= 15 {
                contentLengthTooLarge = true
                continue
            }
            total = total * 10 + Int(byte - 48)
        }
        if !contentLengthTooLarge { contentLength = total }
        return nil
    }

    /// Transfer-Encoding = #transfer-coding; only "chunked", and only as the final coding.
    private mutating func observeTransferEncoding(_ value: ByteRange, in bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        transferEncodingSeen = true
        var elements = 0
        var failure: HTTPParseError?
        Self.forEachListElement(value, in: bytes) { element in
            elements += 1
            guard element.count > 0 else {
                failure = .bad("empty transfer coding")
                return false
            }
            for index in Int(element.start)..<element.end where !ByteClass.isToken(bytes[index]) {
                // Parameters (";q=..") or stray characters: no coding we implement takes them.
                failure = bytes[index] == 59 ? HTTPParseError(status: 501, reason: "unsupported transfer coding")
                    : .bad("invalid transfer coding")
                return false
            }
            if bytes.equalsCaseInsensitive(element, "chunked") {
                if chunkedSeen { failure = .bad("chunked applied more than once") }
                chunkedSeen = true
                chunkedIsFinal = true
            } else {
                otherCodingSeen = true
                chunkedIsFinal = false
            }
            return failure == nil
        }
        if failure == nil && elements == 0 { failure = .bad("empty Transfer-Encoding") }
        return failure
    }

    private mutating func observeConnection(_ value: ByteRange, in bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        var failure: HTTPParseError?
        Self.forEachListElement(value, in: bytes) { element in
            if bytes.equalsCaseInsensitive(element, "close") {
                connectionClose = true
            } else if bytes.equalsCaseInsensitive(element, "keep-alive") {
                connectionKeepAlive = true
            } else if element.count > 0 {
                for index in Int(element.start)..<element.end where !ByteClass.isToken(bytes[index]) {
                    failure = .bad("invalid Connection option")
                    return false
                }
            }
            return true
        }
        return failure
    }

    /// Host = uri-host [ ":" port ]: letters, digits, and the few punctuation marks a reg-name,
    /// an IP literal or a port may contain. Empty is allowed (RFC 9110 §7.2).
    private static func isValidHost(_ bytes: UnsafeRawBufferPointer, _ value: ByteRange) -> Bool {
        for index in Int(value.start)..<value.end {
            switch bytes[index] {
            case 48...57, 65...90, 97...122: continue
            case 45, 46, 58, 91, 93, 95, 126, 37, 33, 36, 38, 39, 40, 41, 42, 43, 44, 59, 61: continue
            default: return false
            }
        }
        return true
    }

    /// Splits a comma-separated list, trimming OWS around each element; `body` returns false to stop.
    static func forEachListElement(
        _ value: ByteRange,
        in bytes: UnsafeRawBufferPointer,
        _ body: (ByteRange) -> Bool
    ) {
        var start = Int(value.start)
        let end = value.end
        while start <= end {
            var stop = start
            while stop < end && bytes[stop] != 44 { stop += 1 }
            var first = start
            var last = stop
            while first < last && ByteClass.isWhitespace(bytes[first]) { first += 1 }
            while last > first && ByteClass.isWhitespace(bytes[last - 1]) { last -= 1 }
            if !body(ByteRange(start: first, count: last - first)) { return }
            start = stop + 1
        }
    }
}
