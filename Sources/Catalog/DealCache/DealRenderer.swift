public import IOCore

/// Renders a deal's representation on a loop (with that loop's buffers): what the cached read
/// path stores and serves. The API gives its JSON renderer; the catalog knows no format.
public typealias DealRenderer = @Sendable (Deal, EventLoop) -> [UInt8]
