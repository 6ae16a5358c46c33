import HTTPCodec
import HTTPServer
import Observability
import Prometheus

/// Routes for operators: liveness and metrics.
enum OperationsRoutes {
    static func add(
        to routes: inout RouterBuilder,
        serverMetrics: @escaping @Sendable () -> HTTPServerMetrics?,
        extraMetrics: @escaping @Sendable (inout String) async -> Void,
        registry: PrometheusCollectorRegistry,
        logSink: LogSink
    ) {
        routes.get("/healthz", .immediate { _, _ in
            Response(status: .ok, headers: ResponseHeaders(contentType: "application/json"), body: .literal(#"{"status":"ok"}"#))
        })
        // Async: some figures are read on the loop that owns them.
        routes.get("/metrics", .async { _, _ in
            var text = ""
            text.reserveCapacity(16 * 1024)
            serverMetrics()?.render(into: &text)
            await extraMetrics(&text)
            text += "# HELP groupbuy_log_lines_dropped_total Log lines dropped because a log queue was full.\n"
            text += "# TYPE groupbuy_log_lines_dropped_total counter\n"
            text += "groupbuy_log_lines_dropped_total \(logSink.droppedLines)\n"
            var bytes: [UInt8] = Array(text.utf8)
            registry.emit(into: &bytes)
            return Response(status: .ok, headers: ResponseHeaders(contentType: "text/plain; version=0.0.4"), body: .bytes(bytes))
        })
    }
}
