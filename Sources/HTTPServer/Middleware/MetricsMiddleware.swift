import IOCore

/// Counts every request by route and final status and records its latency (from the
/// moment the request was parsed until the response is ready), in the loop's own metrics.
/// Place it after the access log and before `ErrorMiddleware`, so it sees rendered errors.
public struct MetricsMiddleware: Middleware {
    public init() {}

    public func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        let elapsed = LoopInstant.now().nanoseconds &- context.receivedAt.nanoseconds
        context.metrics.recordRequest(routeIndex: context.routeIndex, status: outcome.statusCode, nanoseconds: elapsed)
    }
}
