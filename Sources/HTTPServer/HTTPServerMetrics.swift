import HTTPCodec
import IOCore

/// The server's figures in Prometheus text format, summed over loops at scrape time.
/// Requests are labelled by route pattern and method: each registered route (one pattern
/// and method) is one series, so GET and POST of one path never share a label set.
public final class HTTPServerMetrics: Sendable {
    /// `route="…",method="…"` of each route index, escaped once; the last is "no route".
    private let routeLabels: [String]
    private let loops: [LoopHTTPMetrics]
    private let group: EventLoopGroup

    init(routes: [(pattern: String, method: String)], loops: [LoopHTTPMetrics], group: EventLoopGroup) {
        self.routeLabels = routes.map { "route=\"\(Self.escape($0.pattern))\",method=\"\(Self.escape($0.method))\"" }
            + [#"route="(none)",method="(any)""#]
        self.loops = loops
        self.group = group
    }

    private var routeCount: Int { routeLabels.count - 1 }

    /// Requests answered so far, summed over routes, statuses and loops.
    public var requestsTotal: Int {
        loops.reduce(0) { total, loop in
            total + (0..<loop.requests.count).reduce(0) { $0 + loop.requests.value(at: $1) }
        }
    }

    /// Open connections over all loops.
    public var openConnections: Int {
        loops.reduce(0) { $0 + $1.connections.value(at: LoopHTTPMetrics.openIndex) }
    }

    /// Connections accepted over all loops, whatever protocol they spoke.
    public var connectionsAccepted: Int {
        loops.reduce(0) { $0 + $1.connections.value(at: LoopHTTPMetrics.acceptedIndex) }
    }

    /// Connections accepted and closed at once at the connection limit, over all loops.
    public var connectionsRefused: Int {
        loops.reduce(0) { $0 + $1.connections.value(at: LoopHTTPMetrics.refusedIndex) }
    }

    /// Connections closed by a header, body, idle-free or write timeout, over all loops.
    public var connectionsTimedOut: Int {
        loops.reduce(0) { $0 + $1.connections.value(at: LoopHTTPMetrics.timedOutIndex) }
    }

    /// Buffer chunks in use over all loops.
    public var buffersInUse: Int {
        group.loops.reduce(0) { $0 + $1.buffers.inUse }
    }

    /// Appends every family in Prometheus text exposition format 0.0.4.
    public func render(into text: inout String) {
        renderRequests(into: &text)
        renderLatency(into: &text)
        renderParseErrors(into: &text)
        renderConnections(into: &text)
        renderBuffers(into: &text)
        renderLoops(into: &text)
    }

    private static func statusLabel(_ slot: Int) -> String {
        slot < LoopHTTPMetrics.trackedStatuses.count ? String(LoopHTTPMetrics.trackedStatuses[slot]) : "other"
    }

    private func renderRequests(into text: inout String) {
        text += "# HELP http_requests_total Requests answered, by route pattern, method and status.\n"
        text += "# TYPE http_requests_total counter\n"
        for route in 0...routeCount {
            for slot in 0..<LoopHTTPMetrics.statusSlots {
                let index = route * LoopHTTPMetrics.statusSlots + slot
                let count = loops.reduce(0) { $0 + $1.requests.value(at: index) }
                guard count > 0 else { continue }
                text += "http_requests_total{\(routeLabels[route]),status=\"\(Self.statusLabel(slot))\"} \(count)\n"
            }
        }
    }

    private func renderLatency(into text: inout String) {
        text += "# HELP http_request_duration_seconds Time from a complete request head to its response being queued.\n"
        text += "# TYPE http_request_duration_seconds histogram\n"
        for route in 0...routeCount {
            var merged = loops[0].latency[route].snapshot()
            for loop in loops.dropFirst() { merged.merge(loop.latency[route].snapshot()) }
            guard merged.count > 0 else { continue }
            renderHistogram(merged, name: "http_request_duration_seconds", labels: routeLabels[route], into: &text)
        }
    }

    private func renderParseErrors(into text: inout String) {
        text += "# HELP http_parse_errors_total Requests refused before routing (malformed, too large, timed out).\n"
        text += "# TYPE http_parse_errors_total counter\n"
        for slot in 0..<LoopHTTPMetrics.statusSlots {
            let count = loops.reduce(0) { $0 + $1.parseErrors.value(at: slot) }
            guard count > 0 else { continue }
            text += "http_parse_errors_total{status=\"\(Self.statusLabel(slot))\"} \(count)\n"
        }
    }

    private func renderConnections(into text: inout String) {
        let figures: [(String, String, String, Int)] = [
            ("http_connections_open", "gauge", "Open client connections.", LoopHTTPMetrics.openIndex),
            ("http_connections_accepted_total", "counter", "Connections accepted.", LoopHTTPMetrics.acceptedIndex),
            ("http_connections_refused_total", "counter", "Connections closed at once: connection limit or draining.", LoopHTTPMetrics.refusedIndex),
            ("http_connections_timed_out_total", "counter", "Connections closed by a header, body or write timeout.", LoopHTTPMetrics.timedOutIndex),
            ("http_request_deadline_exceeded_total", "counter", "Requests answered 503 because their handler passed the deadline.", LoopHTTPMetrics.deadlineIndex),
        ]
        for (name, type, help, index) in figures {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            text += "\(name) \(loops.reduce(0) { $0 + $1.connections.value(at: index) })\n"
        }
    }

    private func renderBuffers(into text: inout String) {
        text += "# HELP buffer_pool_chunks Pooled buffer chunks by loop and state (in_use, free).\n"
        text += "# TYPE buffer_pool_chunks gauge\n"
        for loop in group.loops {
            text += "buffer_pool_chunks{loop=\"\(loop.index)\",state=\"in_use\"} \(loop.buffers.inUse)\n"
            text += "buffer_pool_chunks{loop=\"\(loop.index)\",state=\"free\"} \(loop.buffers.freeCount)\n"
        }
        text += "# HELP buffer_pool_escaped_total Chunks not reused because a reference outlived its request.\n"
        text += "# TYPE buffer_pool_escaped_total counter\n"
        for loop in group.loops {
            text += "buffer_pool_escaped_total{loop=\"\(loop.index)\"} \(loop.buffers.escaped)\n"
        }
    }

    private func renderLoops(into text: inout String) {
        text += "# HELP event_loop_lag_seconds Busy time per loop iteration: the longest a ready event waited in it.\n"
        text += "# TYPE event_loop_lag_seconds histogram\n"
        for loop in group.loops {
            renderHistogram(loop.statistics.lag.snapshot(), name: "event_loop_lag_seconds", labels: "loop=\"\(loop.index)\"", into: &text)
        }
        text += "# HELP event_loop_iterations_total Loop iterations.\n# TYPE event_loop_iterations_total counter\n"
        for loop in group.loops {
            text += "event_loop_iterations_total{loop=\"\(loop.index)\"} \(loop.statistics.iterations)\n"
        }
    }

    private func renderHistogram(_ snapshot: HistogramSnapshot, name: String, labels: String, into text: inout String) {
        for (index, bound) in snapshot.upperBounds.enumerated() {
            text += "\(name)_bucket{\(labels),le=\"\(bound)\"} \(snapshot.cumulativeCounts[index])\n"
        }
        text += "\(name)_bucket{\(labels),le=\"+Inf\"} \(snapshot.count)\n"
        text += "\(name)_sum{\(labels)} \(snapshot.sum)\n"
        text += "\(name)_count{\(labels)} \(snapshot.count)\n"
    }

    private static func escape(_ value: String) -> String {
        value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
