public import HTTPCodec
public import IOCore

/// Everything the HTTP server can be told. Defaults are the production defaults.
public struct ServerConfiguration: Sendable {
    /// Where to listen: one listener on 0.0.0.0:8080 unless told otherwise (`host` and `port`
    /// set the first one).
    public var listeners = [ListenerConfiguration()]
    /// Kernel socket options.
    public var socket = SocketOptions()
    /// Open connections allowed per process; more are accepted and closed at once.
    public var maxConnections = 16_384
    /// Request size limits.
    public var limits = HTTP1Limits()
    /// Requests served on one connection before it is closed (0: no limit).
    public var maxRequestsPerConnection = 10_000
    /// From a request's first byte to its complete head.
    public var headerTimeout: Duration = .seconds(10)
    /// From a complete head to the end of its body.
    public var bodyTimeout: Duration = .seconds(30)
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a blocked write may make no progress (a client that stops reading).
    public var writeTimeout: Duration = .seconds(30)
    /// A request's deadline: after it the server answers 503 and cancels the handler.
    public var requestTimeout: Duration = .seconds(30)
    /// How long shutdown waits for in-flight requests before closing everything.
    public var shutdownGracePeriod: Duration = .seconds(10)

    public init() {}

    /// Problems with the settings, each naming the setting; empty when usable.
    /// `bufferChunkSize` is the loops' buffer size: a request head must fit in one buffer.
    public func problems(bufferChunkSize: Int) -> [String] {
        var problems = listenerProblems()
        if maxConnections < 1 { problems.append("maxConnections must be at least 1") }
        if limits.maxRequestLineBytes < 64 { problems.append("maxRequestLineBytes must be at least 64") }
        if limits.maxHeaderBytes < 64 { problems.append("maxHeaderBytes must be at least 64") }
        if limits.maxHeaderCount < 1 { problems.append("maxHeaderCount must be at least 1") }
        if limits.maxBodyBytes < 0 { problems.append("maxBodyBytes must not be negative") }
        if limits.maxHeadBytes > bufferChunkSize {
            problems.append(
                "maxRequestLineBytes + maxHeaderBytes (\(limits.maxHeadBytes)) must fit in one buffer chunk (\(bufferChunkSize))"
            )
        }
        if maxRequestsPerConnection < 0 { problems.append("maxRequestsPerConnection must not be negative") }
        for (name, value) in [
            ("headerTimeout", headerTimeout), ("bodyTimeout", bodyTimeout), ("idleTimeout", idleTimeout),
            ("writeTimeout", writeTimeout), ("requestTimeout", requestTimeout),
        ] where value <= .zero {
            problems.append("\(name) must be positive")
        }
        if shutdownGracePeriod < .zero { problems.append("shutdownGracePeriod must not be negative") }
        return problems
    }

    /// Scratch bytes each buffer chunk needs for a request's header table.
    public var scratchBytesPerChunk: Int {
        limits.maxHeaderCount * MemoryLayout<HeaderEntry>.stride
    }
}
