import ArgumentParser
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Health, version and key figures of a running server.")
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await reporting {
            let client = try connection.client()
            let health = try await client.send("GET", "/healthz", authenticated: false).object["status"] as? String ?? "?"
            let metrics = MetricsText(try await client.send("GET", "/metrics", authenticated: false).text)
            let figures: [(String, String)] = [
                ("server", client.base),
                ("health", health),
                ("version", metrics.label("groupbuy_build_info", "version") ?? "?"),
                ("requests", metrics.sum("http_requests_total").map { String(Int($0)) } ?? "?"),
                ("open connections", metrics.sum("http_connections_open").map { String(Int($0)) } ?? "?"),
                ("db connections open", metrics.sum("groupbuy_db_pool_connections", where: "state=\"open\"").map { String(Int($0)) } ?? "?"),
                ("db pool exhausted", metrics.sum("groupbuy_db_pool_exhausted_total").map { String(Int($0)) } ?? "?"),
                ("deal cache hits", metrics.sum("groupbuy_deal_cache_total", where: "outcome=\"hit\"").map { String(Int($0)) } ?? "?"),
                ("deal cache loads", metrics.sum("groupbuy_deal_cache_total", where: "outcome=\"load\"").map { String(Int($0)) } ?? "?"),
                ("redis breakers open", metrics.sum("groupbuy_redis_breaker_open").map { String(Int($0)) } ?? "off"),
            ]
            if connection.json {
                Output.json(try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: figures)))
            } else {
                Output.fields(figures)
            }
        }
    }
}

/// Just enough of the Prometheus text format to read a few figures.
struct MetricsText {
    let lines: [Substring]

    init(_ text: String) {
        lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
    }

    /// The sum of every sample of `name` (whose labels contain `filter`, if given).
    func sum(_ name: String, where filter: String? = nil) -> Double? {
        var total: Double?
        for line in lines {
            guard line.hasPrefix(name + "{") || line.hasPrefix(name + " ") else { continue }
            if let filter, !line.contains(filter) { continue }
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { total = (total ?? 0) + value }
        }
        return total
    }

    func label(_ name: String, _ label: String) -> String? {
        guard let line = lines.first(where: { $0.hasPrefix(name + "{") }), let range = line.range(of: label + "=\"") else { return nil }
        return line[range.upperBound...].split(separator: "\"").first.map(String.init)
    }
}
