public import HTTPCodec
public import IOCore

/// A header name or value: a literal costs nothing to carry, a String is used as is.
public enum HeaderText: Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    case literal(StaticString)
    case string(String)

    public init(stringLiteral value: StaticString) {
        self = .literal(value)
    }

    public var description: String {
        switch self {
        case .literal(let literal): literal.description
        case .string(let string): string
        }
    }

    func write(into writer: inout ByteWriter) {
        switch self {
        case .literal(let literal): writer.write(literal)
        case .string(let string): writer.write(string)
        }
    }

    /// Whether it is safe to put in a header line: no CR, LF or NUL (no response splitting).
    var isSafeFieldValue: Bool {
        switch self {
        case .literal(let literal):
            let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
            return !bytes.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        case .string(let string):
            return !string.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
        }
    }
}

/// Response header fields. Content-Type has its own slot so the common response needs no array.
/// The server adds Date, Content-Length or Transfer-Encoding, Connection and X-Request-Id itself.
public struct ResponseHeaders: Sendable {
    /// The Content-Type, if any.
    public var contentType: HeaderText?
    private(set) var fields: [(name: HeaderText, value: HeaderText)] = []

    public init(contentType: HeaderText? = nil) {
        self.contentType = contentType
    }

    /// Adds a field (repeated names are sent as repeated lines).
    public mutating func add(_ name: HeaderText, _ value: HeaderText) {
        fields.append((name, value))
    }

    /// The first value of `name` (case-insensitive), for tests and middleware.
    public subscript(name: String) -> String? {
        let lowered = name.lowercased()
        if lowered == "content-type" { return contentType?.description }
        return fields.first { $0.name.description.lowercased() == lowered }?.value.description
    }

    /// Number of fields besides Content-Type.
    public var count: Int { fields.count }
}

/// What a handler answers.
public struct Response: Sendable {
    public var status: HTTPStatus
    public var headers: ResponseHeaders
    public var body: ResponseBody
    /// Sent after the body; a streamed body's producer can set them at its end instead
    /// (`BodyStreamWriter.setTrailers`).
    public var trailers: ResponseTrailers

    public init(
        status: HTTPStatus = .ok, headers: ResponseHeaders = ResponseHeaders(), body: ResponseBody = .empty,
        trailers: ResponseTrailers = ResponseTrailers()
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// A text/plain response.
    public static func text(_ text: StaticString, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ResponseHeaders(contentType: "text/plain"), body: .literal(text))
    }

    /// A text/plain response from a String.
    public static func text(_ text: String, status: HTTPStatus = .ok) -> Response {
        Response(status: status, headers: ResponseHeaders(contentType: "text/plain; charset=utf-8"), body: .string(text))
    }
}

/// A response body.
public enum ResponseBody: Sendable {
    case empty
    /// Bytes of a literal: nothing is copied or allocated.
    case literal(StaticString)
    case string(String)
    case bytes([UInt8])
    /// Bytes written into a pooled buffer (see `RequestContext.writeBody`); returned to the pool after sending.
    case buffer(BufferChunk)
    /// Produced while being sent, with chunked transfer coding (HTTP/1.1) or until close (HTTP/1.0).
    case stream(BodyStream)

    /// The body length when it is known before sending.
    public var knownLength: Int? {
        switch self {
        case .empty: 0
        case .literal(let literal): literal.utf8CodeUnitCount
        case .string(let string): string.utf8.count
        case .bytes(let bytes): bytes.count
        case .buffer(let chunk): chunk.readableBytes
        case .stream: nil
        }
    }
}

/// Produces a streamed body by writing parts to a `BodyStreamWriter`, which waits while the
/// client is slower than the producer (backpressure).
public struct BodyStream: Sendable {
    let produce: @Sendable (BodyStreamWriter) async throws -> Void

    public init(_ produce: @escaping @Sendable (BodyStreamWriter) async throws -> Void) {
        self.produce = produce
    }
}
