/// The run as aligned plain-text columns for a terminal.
public enum TableReport {
    /// Header, one row per step plus "all", the status/problem/transport breakdowns, iterations,
    /// the business figures and checks.
    public static func render(_ r: RunResult) -> String {
        var out = "scenario \(r.scenario)\(r.smoke ? " (SMOKE)" : ""): \(r.loadDescription)"
        out += ", measured \(Units.fixed(r.measuredSeconds, decimals: 1))s"
        out += " after \(Units.fixed(r.warmupSeconds, decimals: 1))s warm-up\n"
        if r.smoke { out += RunResult.smokeNote + "\n" }
        if let runID = r.runID { out += "run \(runID)\n" }
        out += "\n"
        let rows = r.reportRows
        out += summaryTable(rows).render()
        for breakdown in [Breakdown.statuses(rows), .problemTypes(rows), .transportErrors(rows)] where !breakdown.isEmpty {
            var table = TextTable(header: [breakdown.title] + rows.map(\.name))
            for (label, counts) in zip(breakdown.labels, breakdown.counts) {
                table.append([label] + counts.map(String.init))
            }
            out += "\n" + table.render()
        }
        out += "\niterations: \(Units.count(r.iterationsStarted)) started\n"
        for line in r.iterationLines { out += "  \(line)\n" }
        let business = r.businessLines
        if !business.isEmpty { out += "\n" + business.map { $0 + "\n" }.joined() }
        if !r.checks.isEmpty {
            out += "\nchecks:\n"
            var table = TextTable(alignments: [.left, .left, .left])
            for check in r.checks {
                table.append([check.passed ? "PASS" : "FAIL", check.name, check.detail])
            }
            out += table.render(indent: "  ")
        }
        out += "\nresult: \(r.passed ? "PASSED" : "FAILED")\n"
        return out
    }

    static func summaryTable(_ rows: [StepResult]) -> TextTable {
        var table = TextTable(header: ["step", "requests", "req/s", "errors", "err%", "p50", "p90", "p99", "p99.9", "max"])
        for row in rows {
            let summary = row.summary
            table.append([
                row.name, String(row.requests), Units.fixed(row.throughput, decimals: 1), String(row.errors),
                Units.percent(Units.ratio(row.errors, row.requests)), Units.latency(summary.p50), Units.latency(summary.p90),
                Units.latency(summary.p99), Units.latency(summary.p999), Units.latency(summary.max),
            ])
        }
        return table
    }
}
