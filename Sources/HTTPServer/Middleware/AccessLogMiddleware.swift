import IOCore
public import Observability

/// Writes one JSON line per request into the log sink, built on the stack: no allocation,
/// no lock on the loop thread, dropped (and counted) when the log queue is full.
///
///     {"ts":"…","level":"info","msg":"request","method":"GET","path":"/v1/deals/7","route":"/v1/deals/{id}","status":200,"duration_us":84,"request_id":"…"}
///
/// Place it before `MetricsMiddleware` and `ErrorMiddleware` so it logs the final status.
public struct AccessLogMiddleware: Middleware {
    private let sink: LogSink

    public init(sink: LogSink) {
        self.sink = sink
    }

    public func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {
        let elapsed = LoopInstant.now().nanoseconds &- context.receivedAt.nanoseconds
        let status = outcome.statusCode
        sink.log(level: "info") { line in
            line.field("msg", "request" as StaticString)
            request.methodName.withUnsafeBytes { line.field("method", bytes: $0) }
            request.path.withUnsafeBytes { line.field("path", bytes: $0) }
            if let route = context.route { line.field("route", route) }
            line.field("status", status)
            line.field("duration_us", Int(elapsed / 1_000))
            context.requestID.withUnsafeBytes { line.field("request_id", bytes: $0) }
        }
    }
}
