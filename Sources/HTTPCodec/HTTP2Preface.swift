/// The HTTP/2 connection preface (RFC 9113 §3.4). A connection that starts with it speaks
/// HTTP/2 with prior knowledge; the server hands such a connection to its HTTP/2 handler.
public enum HTTP2Preface {
    /// "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    public static let bytes: StaticString = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

    /// What the first bytes of a connection say.
    public enum Match: Sendable, Hashable {
        /// The full preface is present.
        case http2
        /// Not the preface: HTTP/1.x.
        case http1
        /// A prefix of the preface: read more before deciding.
        case undecided
    }

    /// Compares the start of a connection's bytes with the preface.
    @inline(__always)
    public static func match(_ received: UnsafeRawBufferPointer) -> Match {
        let preface = UnsafeRawBufferPointer(start: bytes.utf8Start, count: bytes.utf8CodeUnitCount)
        let compared = min(received.count, preface.count)
        // Cheap first-byte test: an HTTP/1 request line can start with "P" (POST, PUT, PATCH).
        for index in 0..<compared where received[index] != preface[index] { return .http1 }
        return compared == preface.count ? .http2 : .undecided
    }
}
