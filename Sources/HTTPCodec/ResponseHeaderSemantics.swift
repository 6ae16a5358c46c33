/// What the response parser learns from the headers that decide framing and reuse:
/// Content-Length, Transfer-Encoding, Connection.
struct ResponseHeaderSemantics {
    private var contentLength: Int?
    private var contentLengthTooLarge = false
    private var transferEncodingSeen = false
    private var chunkedIsFinal = false
    private var connectionClose = false
    private var connectionKeepAlive = false

    mutating func observe(_ entry: HeaderEntry, in bytes: UnsafeRawBufferPointer) -> HTTPParseError? {
        switch entry.name.count {
        case 10 where bytes.equalsCaseInsensitive(entry.name, "connection"):
            HeaderSemantics.forEachListElement(entry.value, in: bytes) { element in
                if bytes.equalsCaseInsensitive(element, "close") { connectionClose = true }
                if bytes.equalsCaseInsensitive(element, "keep-alive") { connectionKeepAlive = true }
                return true
            }
        case 14 where bytes.equalsCaseInsensitive(entry.name, "content-length"):
            guard contentLength == nil && !contentLengthTooLarge else { return HTTP1ResponseParser.bad("repeated Content-Length") }
            let value = entry.value
            guard value.count > 0 else { return HTTP1ResponseParser.bad("invalid Content-Length") }
            var total = 0
            for index in Int(value.start)..<value.end {
                let byte = bytes[index]
                guard byte >= 48 && byte <= 57 else { return HTTP1ResponseParser.bad("invalid Content-Length") }
                if index - Int(value.start) >= 15 {
                    contentLengthTooLarge = true
                    continue
                }
                total = total * 10 + Int(byte - 48)
            }
            if !contentLengthTooLarge { contentLength = total }
        case 17 where bytes.equalsCaseInsensitive(entry.name, "transfer-encoding"):
            transferEncodingSeen = true
            var failure: HTTPParseError?
            HeaderSemantics.forEachListElement(entry.value, in: bytes) { element in
                guard element.count > 0 else {
                    failure = HTTP1ResponseParser.bad("empty transfer coding")
                    return false
                }
                if bytes.equalsCaseInsensitive(element, "chunked") {
                    if chunkedIsFinal { failure = HTTP1ResponseParser.bad("chunked applied more than once") }
                    chunkedIsFinal = true
                } else {
                    chunkedIsFinal = false
                }
                return failure == nil
            }
            return failure
        default:
            break
        }
        return nil
    }

    /// Decides framing and reuse (RFC 9112 §6.3) once all lines are seen.
    func finish(into head: inout ResponseHead, requestMethod: HTTPMethod, limits: HTTP1Limits) -> HTTPParseError? {
        let isHTTP11 = head.version == .http1_1
        head.keepAlive = isHTTP11 ? !connectionClose : (connectionKeepAlive && !connectionClose)
        // RFC 9112 §6.3 rule 1: whatever the headers say, these have no body.
        if requestMethod == .head || head.status == 204 || head.status == 304 {
            head.framing = .none
            return nil
        }
        if transferEncodingSeen {
            // Both headers is the classic smuggling shape: refuse rather than pick one.
            if contentLength != nil || contentLengthTooLarge { return HTTP1ResponseParser.bad("Content-Length with Transfer-Encoding") }
            if chunkedIsFinal {
                head.framing = .chunked
            } else {
                // Rule 4: a final coding other than chunked is read until the connection closes.
                head.framing = .untilClose
                head.keepAlive = false
            }
            return nil
        }
        if contentLengthTooLarge { return HTTPParseError(status: 502, reason: "response body too large") }
        if let contentLength {
            if contentLength > limits.maxBodyBytes { return HTTPParseError(status: 502, reason: "response body too large") }
            head.framing = contentLength > 0 ? .contentLength(contentLength) : .none
            return nil
        }
        head.framing = .untilClose
        head.keepAlive = false
        return nil
    }
}
