import HTTPCodec

/// Runs the parser over a whole request given as text, the way tests want it.
struct ParsedRequest {
    let bytes: [UInt8]
    let head: RequestHead
    let headers: [HeaderEntry]

    func text(_ range: ByteRange?) -> String? {
        guard let range else { return nil }
        return String(decoding: bytes[Int(range.start)..<range.end], as: UTF8.self)
    }

    /// The value of the first header named `name` (case-insensitive).
    func header(_ name: String) -> String? {
        headers.first { text($0.name)?.lowercased() == name.lowercased() }.flatMap { text($0.value) }
    }
}

enum ParserHarness {
    static func limits(
        requestLine: Int = 8192,
        headerBytes: Int = 8192,
        headerCount: Int = 100,
        body: Int = 1 << 20
    ) -> HTTP1Limits {
        var limits = HTTP1Limits()
        limits.maxRequestLineBytes = requestLine
        limits.maxHeaderBytes = headerBytes
        limits.maxHeaderCount = headerCount
        limits.maxBodyBytes = body
        return limits
    }

    /// Parses `raw` in one go.
    static func parse(_ raw: String, limits: HTTP1Limits = limits()) -> (HeadParseResult, ParsedRequest?) {
        parse(Array(raw.utf8), limits: limits)
    }

    static func parse(_ bytes: [UInt8], limits: HTTP1Limits = limits()) -> (HeadParseResult, ParsedRequest?) {
        var parser = HTTP1RequestParser(limits: limits)
        var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: limits.maxHeaderCount)
        let result = bytes.withUnsafeBytes { buffer in
            table.withUnsafeMutableBufferPointer { parser.parseHead(buffer, headers: $0) }
        }
        guard case .complete(let head) = result else { return (result, nil) }
        return (result, ParsedRequest(bytes: bytes, head: head, headers: Array(table[0..<head.headerCount])))
    }

    /// Feeds `raw` one byte more at a time, as a slow client would send it.
    static func parseIncrementally(_ raw: String, limits: HTTP1Limits = limits()) -> (HeadParseResult, calls: Int) {
        let bytes = Array(raw.utf8)
        var parser = HTTP1RequestParser(limits: limits)
        var table = [HeaderEntry](repeating: HeaderEntry(name: .empty, value: .empty), count: limits.maxHeaderCount)
        var calls = 0
        for end in 1...bytes.count {
            calls += 1
            let result = bytes[0..<end].withUnsafeBytes { buffer in
                table.withUnsafeMutableBufferPointer { parser.parseHead(buffer, headers: $0) }
            }
            if result != .needMore { return (result, calls) }
        }
        return (.needMore, calls)
    }

    /// The refusal status, or nil when the head parsed (or needs more).
    static func refusal(_ raw: String, limits: HTTP1Limits = limits()) -> Int? {
        if case .failed(let error) = parse(raw, limits: limits).0 { return error.status }
        return nil
    }
}
