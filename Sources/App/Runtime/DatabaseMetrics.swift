import Postgres

/// Prometheus text for the per-loop PostgreSQL pools.
enum DatabaseMetrics {
    static func render(_ figures: [PostgresPool.Figures], into text: inout String) {
        text += "# HELP groupbuy_db_pool_connections Open and idle PostgreSQL connections per loop.\n"
        text += "# TYPE groupbuy_db_pool_connections gauge\n"
        for (loop, pool) in figures.enumerated() {
            text += "groupbuy_db_pool_connections{loop=\"\(loop)\",state=\"open\"} \(pool.open)\n"
            text += "groupbuy_db_pool_connections{loop=\"\(loop)\",state=\"idle\"} \(pool.idle)\n"
        }
        text += "# HELP groupbuy_db_pool_waiting Requests waiting for a connection per loop.\n"
        text += "# TYPE groupbuy_db_pool_waiting gauge\n"
        for (loop, pool) in figures.enumerated() {
            text += "groupbuy_db_pool_waiting{loop=\"\(loop)\"} \(pool.waiting)\n"
        }
        text += "# HELP groupbuy_db_pool_opened_total Connections opened per loop.\n"
        text += "# TYPE groupbuy_db_pool_opened_total counter\n"
        for (loop, pool) in figures.enumerated() {
            text += "groupbuy_db_pool_opened_total{loop=\"\(loop)\"} \(pool.opened)\n"
        }
        text += "# HELP groupbuy_db_pool_exhausted_total Requests refused (503) because no connection became free in time.\n"
        text += "# TYPE groupbuy_db_pool_exhausted_total counter\n"
        for (loop, pool) in figures.enumerated() {
            text += "groupbuy_db_pool_exhausted_total{loop=\"\(loop)\"} \(pool.exhausted)\n"
        }
    }
}
