public import HTTPCodec

/// Settings of a per-loop `HTTPClient`.
public struct HTTPClientConfiguration: Sendable {
    /// Deadline of a request (connect, send, whole response) when the call gives none.
    public var timeout: Duration = .seconds(30)
    /// Idle keep-alive connections kept per origin on each loop; more are closed.
    public var maxIdleConnectionsPerOrigin = 8
    /// An idle connection unused this long is closed (servers close theirs too).
    public var idleTimeout: Duration = .seconds(30)
    /// Head and body limits for responses.
    public var limits: HTTP1Limits = {
        var limits = HTTP1Limits()
        limits.maxBodyBytes = 16 * 1024 * 1024
        return limits
    }()

    public init() {}
}
