public import HTTPCodec

/// An error that knows the HTTP answer it deserves; rendered as problem+json (RFC 9457)
/// by `ErrorMiddleware`. Everything else thrown becomes a 500 that reveals nothing.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    public var status: HTTPStatus
    /// A URI reference naming the problem type; "about:blank" when the status says it all.
    public var type: String
    /// A short summary of the problem type.
    public var title: String
    /// What went wrong in this occurrence; shown to the client, so never internals.
    public var detail: String?
    /// Extra members of the problem object (e.g. the invalid fields).
    public var extensions: [(String, ProblemValue)]
    /// Extra response headers (e.g. `Allow`, `Retry-After`).
    public var headers: ResponseHeaders

    public init(
        _ status: HTTPStatus,
        type: String = "about:blank",
        title: String? = nil,
        detail: String? = nil,
        extensions: [(String, ProblemValue)] = [],
        headers: ResponseHeaders = ResponseHeaders()
    ) {
        self.status = status
        self.type = type
        self.title = title ?? status.reasonPhrase.description
        self.detail = detail
        self.extensions = extensions
        self.headers = headers
    }

    public var description: String { "HTTPError(\(status.code) \(title)\(detail.map { ": \($0)" } ?? ""))" }
}

/// A JSON value inside a problem object.
public indirect enum ProblemValue: Sendable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([ProblemValue])
    case object([(String, ProblemValue)])
}
