import ArgumentParser
import Foundation

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Health of each dependency, version and key figures of a running server.",
        discussion: """
            Reads /healthz (PostgreSQL, Redis and the card provider: up, down or off) and /metrics. \
            With --json: {"server", "status": "ok"|"degraded", "checks": {"postgres": {"status", "address", "error"}, …}, \
            "version", "requests", "openConnections", "dbConnectionsOpen", "dbPoolExhausted", "dealCacheHits", \
            "dealCacheLoads", "redisBreakersOpen", "outboxJobs": {"queued", "running", "dead"}, \
            "providerKnobs": {knob: value} or null}, numbers as numbers (null when the server does not report one).

            When the card provider is psp-sandbox, its knobs that are off their defaults (webhook delays, \
            duplicates, reordering, failures: what a load-test scenario may have left behind) are shown too.

            Exit codes: 0 every dependency is up (or off), 6 the server runs but a dependency is down, \
            4 the server cannot be reached, 1/3/5/64 as for every gbctl command.
            """
    )
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        try await reporting {
            let client = try connection.client()
            let health = try await client.send("GET", "/healthz", authenticated: false).object
            let metrics = MetricsText(try await client.send("GET", "/metrics", authenticated: false).text)
            var report = Report(server: client.base, health: health, metrics: metrics)
            report.providerKnobs = await Self.sandboxKnobs(report)
            if connection.json {
                Output.json(try JSONSerialization.data(withJSONObject: report.json))
            } else {
                Output.fields(report.fields)
            }
            if report.status != "ok" {
                throw CLIError(.degraded, "the server is \(report.status): \(report.down.joined(separator: ", ")) down")
            }
        }
    }

    /// psp-sandbox's `/_sandbox/config/changed` at the provider address the server reports; nil
    /// when the provider is not up or is not the sandbox (a real provider has no such route).
    static func sandboxKnobs(_ report: Report) async -> (summary: String, changed: [String: Any])? {
        guard let payments = report.checks.first(where: { $0.name == "payments" }), payments.status == "up",
            let address = payments.address
        else { return nil }
        guard let server = try? ServerURL(address.hasPrefix("http") ? address : "http://\(address)"),
            let reply = try? await APIClient(server: server, token: nil).send("GET", "/_sandbox/config/changed", authenticated: false, timeout: 3),
            let changed = reply.object["changed"] as? [String: Any]
        else { return nil }
        return (reply.object["summary"] as? String ?? "\(changed)", changed)
    }

    /// What `status` shows, from the server's /healthz and /metrics.
    struct Report {
        let server: String
        let status: String
        /// name, status, address, error; in the server's order (postgres, redis, payments).
        let checks: [(name: String, status: String, address: String?, error: String?)]
        let version: String?
        let figures: [(label: String, key: String, value: Int?)]
        let outboxJobs: [(state: String, count: Int?)]
        /// psp-sandbox's knobs off their defaults (nil for another provider or none reachable).
        var providerKnobs: (summary: String, changed: [String: Any])?

        init(server: String, health: [String: Any], metrics: MetricsText) {
            self.server = server
            let checks = health["checks"] as? [String: Any] ?? [:]
            let order = ["postgres", "redis", "payments"]
            let rank = { (name: String) in (order.firstIndex(of: name) ?? order.count, name) }
            self.checks = checks.keys.sorted { rank($0) < rank($1) }.map {
                let check = checks[$0] as? [String: Any] ?? [:]
                return ($0, check["status"] as? String ?? "?", check["address"] as? String, check["error"] as? String)
            }
            // A server that reports no checks (an older one) is taken at its word.
            status = health["status"] as? String ?? "?"
            version = metrics.label("groupbuy_build_info", "version")
            let count = { (sum: Double?) in sum.map { Int($0) } }
            figures = [
                ("requests", "requests", count(metrics.sum("http_requests_total"))),
                ("open connections", "openConnections", count(metrics.sum("http_connections_open"))),
                ("db connections open", "dbConnectionsOpen", count(metrics.sum("groupbuy_db_pool_connections", where: "state=\"open\""))),
                ("db pool exhausted", "dbPoolExhausted", count(metrics.sum("groupbuy_db_pool_exhausted_total"))),
                ("deal cache hits", "dealCacheHits", count(metrics.sum("groupbuy_deal_cache_total", where: "outcome=\"hit\""))),
                ("deal cache loads", "dealCacheLoads", count(metrics.sum("groupbuy_deal_cache_total", where: "outcome=\"load\""))),
                ("redis breakers open", "redisBreakersOpen", count(metrics.sum("groupbuy_redis_breaker_open"))),
            ]
            outboxJobs = ["queued", "running", "dead"].map { ($0, count(metrics.sum("groupbuy_outbox_jobs", where: "state=\"\($0)\""))) }
        }

        var down: [String] { checks.filter { $0.status == "down" }.map(\.name) }

        var fields: [(String, String)] {
            var fields: [(String, String)] = [("server", server), ("health", status)]
            for check in checks {
                let detail = [check.status, check.address, check.error].compactMap { $0 }.joined(separator: "  ")
                fields.append(("  " + check.name, detail))
            }
            fields.append(("version", version ?? "?"))
            fields += figures.map { ($0.label, $0.value.map(String.init) ?? "-") }
            fields.append(("outbox jobs", outboxJobs.map { "\($0.count.map(String.init) ?? "-") \($0.state)" }.joined(separator: ", ")))
            if let providerKnobs { fields.append(("provider knobs", providerKnobs.summary)) }
            return fields
        }

        var json: [String: Any] {
            var object: [String: Any] = ["server": server, "status": status, "version": version ?? NSNull()]
            object["checks"] = Dictionary(uniqueKeysWithValues: checks.map { check in
                var entry: [String: Any] = ["status": check.status]
                entry["address"] = check.address
                entry["error"] = check.error
                return (check.name, entry)
            })
            for figure in figures { object[figure.key] = figure.value ?? NSNull() }
            object["outboxJobs"] = Dictionary(uniqueKeysWithValues: outboxJobs.map { ($0.state, $0.count.map { $0 as Any } ?? NSNull()) })
            object["providerKnobs"] = providerKnobs?.changed ?? NSNull()
            return object
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
