import HTTPCodec
import HTTPServer
import IOCore
import Observability
import Prometheus

/// Routes for operators: liveness and metrics.
enum OperationsRoutes {
    static func add(
        to routes: inout RouterBuilder,
        health: DependencyHealth?,
        serverMetrics: @escaping @Sendable () -> HTTPServerMetrics?,
        extraMetrics: @escaping @Sendable (inout String, EventLoop) async -> Void,
        registry: PrometheusCollectorRegistry,
        logSink: LogSink
    ) {
        // Liveness: 200 whenever the loops turn, whatever the dependencies say (an outage of
        // PostgreSQL must not get the pod killed); the body tells each dependency's state.
        routes.get("/healthz", .async { _, context in
            let report = await health?.report(on: context.loop) ?? DependencyHealth.Report(entries: [])
            let body = context.writeBody { $0.json { HealthRendering.write(report, into: &$0) } }
            return Response(status: .ok, headers: ResponseHeaders(contentType: "application/json"), body: body)
        })
        // Async: some figures are read on the loop that owns them.
        routes.get("/metrics", .async { _, context in
            var text = ""
            text.reserveCapacity(16 * 1024)
            serverMetrics()?.render(into: &text)
            await extraMetrics(&text, context.loop)
            text += "# HELP groupbuy_log_lines_dropped_total Log lines dropped because a log queue was full.\n"
            text += "# TYPE groupbuy_log_lines_dropped_total counter\n"
            text += "groupbuy_log_lines_dropped_total \(logSink.droppedLines)\n"
            var bytes: [UInt8] = Array(text.utf8)
            registry.emit(into: &bytes)
            return Response(status: .ok, headers: ResponseHeaders(contentType: "text/plain; version=0.0.4"), body: .bytes(bytes))
        })
    }
}
