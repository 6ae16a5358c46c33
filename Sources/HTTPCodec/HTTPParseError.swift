/// Why a request was refused by the parser, with the status to answer it with.
/// The connection is always closed after such a response: framing can no longer be trusted.
public struct HTTPParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// 400, 413, 414, 417, 431, 501 or 505.
    public let status: Int
    /// A short, fixed explanation safe to show to the client.
    public let reason: StaticString

    public init(status: Int, reason: StaticString) {
        self.status = status
        self.reason = reason
    }

    public var description: String { "\(status): \(reason)" }

    public static func == (lhs: HTTPParseError, rhs: HTTPParseError) -> Bool {
        lhs.status == rhs.status && lhs.reason.description == rhs.reason.description
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(reason.description)
    }

    static func bad(_ reason: StaticString) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
}
