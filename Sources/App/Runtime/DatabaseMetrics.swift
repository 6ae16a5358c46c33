import Postgres

/// Prometheus text for the per-loop PostgreSQL pools.
enum DatabaseMetrics {
    static func render(_ figures: [PostgresPool.Figures], into text: inout String) {
        family("groupbuy_db_pool_connections", "gauge", "Open and idle PostgreSQL connections per loop.", figures, into: &text) {
            [("state=\"open\"", $0.open), ("state=\"idle\"", $0.idle)]
        }
        family("groupbuy_db_pool_waiting", "gauge", "Requests waiting for a connection per loop.", figures, into: &text) { [("", $0.waiting)] }
        family("groupbuy_db_pool_opened_total", "counter", "Connections opened per loop.", figures, into: &text) { [("", $0.opened)] }
        family(
            "groupbuy_db_pool_exhausted_total", "counter", "Requests refused (503) because no connection became free in time.",
            figures, into: &text
        ) { [("", $0.exhausted)] }
    }

    /// One metric family: a sample per loop and per extra label set.
    private static func family(
        _ name: String, _ type: String, _ help: String, _ figures: [PostgresPool.Figures], into text: inout String,
        samples: (PostgresPool.Figures) -> [(labels: String, value: Int)]
    ) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for (loop, pool) in figures.enumerated() {
            for (labels, value) in samples(pool) {
                text += "\(name){loop=\"\(loop)\"\(labels.isEmpty ? "" : "," + labels)} \(value)\n"
            }
        }
    }
}
