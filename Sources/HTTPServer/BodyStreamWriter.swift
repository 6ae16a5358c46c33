/// Where a streamed body's parts go: the HTTP/1.1 connection (chunked coding) or, later,
/// an HTTP/2 stream (DATA frames). Handlers only see `BodyStreamWriter`.
protocol BodyStreamSink: AnyObject, Sendable {
    /// Sends one part; returns once it is handed to the kernel (waits while the client is slow).
    func writeBodyPart(_ part: ResponseBody) async throws
    /// Replaces the trailer fields sent after the last part.
    func setTrailers(_ trailers: ResponseTrailers) async throws
}

/// Writes the parts of a streamed response body. Each write waits until the previous bytes
/// have left, so a slow client slows the producer instead of filling memory.
public final class BodyStreamWriter: Sendable {
    private let sink: any BodyStreamSink

    init(sink: any BodyStreamSink) {
        self.sink = sink
    }

    /// Sends bytes as one part (empty writes are skipped: an empty chunk would end the body).
    public func write(_ bytes: [UInt8]) async throws {
        guard !bytes.isEmpty else { return }
        try await sink.writeBodyPart(.bytes(bytes))
    }

    /// Sends a string's UTF-8 bytes as one part.
    public func write(_ string: String) async throws {
        guard !string.isEmpty else { return }
        try await sink.writeBodyPart(.string(string))
    }

    /// Sets the fields sent after the last part (replacing the response's `trailers`), e.g. a
    /// status known only once the body is produced. Call it before returning from the producer.
    public func setTrailers(_ trailers: ResponseTrailers) async throws {
        try await sink.setTrailers(trailers)
    }
}

/// The client went away or the connection closed while a body was being streamed.
public struct StreamClosedError: Error, Sendable, CustomStringConvertible {
    public var description: String { "connection closed while streaming the response body" }
}
