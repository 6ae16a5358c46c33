internal import Glibc

/// The run as one self-contained HTML page (no scripts, fonts or style sheets from elsewhere):
/// the summary, throughput and latency over time and the latency distribution as inline SVG,
/// the status/problem/transport breakdowns and the checks. The markup is also well-formed XML.
public enum HTMLReport {
    /// The whole page, ending in a newline; write it to a `.html` file.
    public static func render(_ r: RunResult) -> String {
        let title = "gbload: \(r.scenario)" + (r.smoke ? " (smoke)" : "")
        var html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
        html += "<title>\(HTML.escape(title))</title>\n<style>\n\(style)</style>\n</head>\n<body>\n"
        html += "<h1>\(HTML.escape(title))</h1>\n"
        html += "<p class=\"meta\">\(HTML.escape(r.loadDescription)) · measured \(Units.fixed(r.measuredSeconds, decimals: 1))s"
        html += " after \(Units.fixed(r.warmupSeconds, decimals: 1))s warm-up · started \(Units.rfc3339(secondsSince1970: r.startedAt)) · "
        html += r.passed ? "<span class=\"pass\">PASSED</span>" : "<span class=\"fail\">FAILED</span>"
        if let runID = r.runID { html += " · run \(HTML.escape(runID))" }
        html += "</p>\n"
        if r.smoke { html += "<p class=\"smoke\">\(HTML.escape(RunResult.smokeNote))</p>\n" }

        let rows = r.reportRows
        html += "<h2>Summary</h2>\n" + summaryTable(rows)
        html += "<p>Iterations: \(Units.count(r.iterationsStarted)) started.</p>\n"
        let iterations = r.iterationLines
        for list in [iterations, r.businessLines] where !list.isEmpty {
            html += "<ul>\n" + list.map { "<li>\(HTML.escape($0))</li>\n" }.joined() + "</ul>\n"
        }

        html += "<h2>Throughput</h2>\n" + throughputChart(r.timeline).render()
        if let note = partialSecondNote(r.timeline) { html += "<p class=\"note\">\(HTML.escape(note))</p>\n" }
        html += "<h2>Latency over time</h2>\n" + latencyChart(r.timeline).render()
        html += "<h2>Latency distribution</h2>\n" + distributionChart(LatencyDistribution(r.overall.latency)).render()

        let breakdowns = [Breakdown.statuses(rows), .problemTypes(rows), .transportErrors(rows)].filter { !$0.isEmpty }
        if !breakdowns.isEmpty {
            html += "<h2>Answers and errors</h2>\n"
            for breakdown in breakdowns { html += breakdownTable(breakdown, rows) }
        }
        html += "<h2>Checks</h2>\n" + checksTable(r.checks)
        html += "</body>\n</html>\n"
        return html
    }

    // MARK: Tables

    private static func summaryTable(_ rows: [StepResult]) -> String {
        var html = "<table>\n<tr><th>step</th>"
        for title in ["requests", "req/s", "errors", "err%", "p50", "p90", "p99", "p99.9", "max"] { html += "<th class=\"num\">\(title)</th>" }
        html += "</tr>\n"
        for row in rows {
            let summary = row.summary
            let cells = [
                String(row.requests), Units.fixed(row.throughput, decimals: 1), String(row.errors), Units.percent(Units.ratio(row.errors, row.requests)),
                Units.latency(summary.p50), Units.latency(summary.p90), Units.latency(summary.p99), Units.latency(summary.p999),
                Units.latency(summary.max),
            ]
            html += "<tr\(row.name == "all" ? " class=\"all\"" : "")><td>\(HTML.escape(row.name))</td>"
            html += cells.map { "<td class=\"num\">\(HTML.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func breakdownTable(_ breakdown: Breakdown, _ rows: [StepResult]) -> String {
        var html = "<table>\n<tr><th>\(HTML.escape(breakdown.title))</th>"
        html += rows.map { "<th class=\"num\">\(HTML.escape($0.name))</th>" }.joined() + "</tr>\n"
        for (label, counts) in zip(breakdown.labels, breakdown.counts) {
            html += "<tr><td>\(HTML.escape(label))</td>" + counts.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    private static func checksTable(_ checks: [CheckOutcome]) -> String {
        if checks.isEmpty { return "<p>No checks ran.</p>\n" }
        var html = "<table>\n<tr><th>result</th><th>check</th><th>detail</th></tr>\n"
        for check in checks {
            let verdict = check.passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>"
            html += "<tr><td>\(verdict)</td><td>\(HTML.escape(check.name))</td><td>\(HTML.escape(check.detail))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    // MARK: Charts

    static let requestColor = "#2563eb"
    static let errorColor = "#dc2626"
    static let p99Color = "#d97706"

    private static func secondsAxis(_ timeline: [TimelinePoint]) -> SVGChart.Axis {
        let last = Double(timeline.map(\.second).max() ?? 0)
        return .linear("seconds", 0, max(1, last), count: 8) { $0.map { Units.compact($0) + "s" } }
    }

    /// Below this part of a second, the last second is too short to scale to a rate: left out.
    static let shortestScaledSecond = 0.25

    /// Counts per second as rates: a second the measured part covers only in part (the last
    /// one of a run that ended early) would draw as a drop; it is scaled to a full second, or
    /// left out when shorter than `shortestScaledSecond`.
    static func ratePoints(_ timeline: [TimelinePoint], _ count: (TimelinePoint) -> Int) -> [(x: Double, y: Double)] {
        timeline.compactMap { point in
            if point.covered >= 1 { return (Double(point.second), Double(count(point))) }
            guard point.covered >= shortestScaledSecond else { return nil }
            return (Double(point.second), Double(count(point)) / point.covered)
        }
    }

    /// What the throughput chart did with a partial last second, for the line under it.
    static func partialSecondNote(_ timeline: [TimelinePoint]) -> String? {
        guard let last = timeline.last, last.covered < 1 else { return nil }
        let part = Units.fixed(last.covered, decimals: 2)
        if last.covered >= shortestScaledSecond {
            return "The last second (\(last.second)s) covers \(part)s of the measured part: "
                + "its requests/s and errors/s are scaled up to a full second."
        }
        return "The last second (\(last.second)s) covers only \(part)s of the measured part: "
            + "too short to scale, it is left out of this chart."
    }

    static func throughputChart(_ timeline: [TimelinePoint]) -> SVGChart {
        let requests = ratePoints(timeline, \.requests)
        let peak = requests.map(\.y).max() ?? 0
        return SVGChart(
            title: "Requests per second",
            x: secondsAxis(timeline),
            y: .linear("requests/s", 0, max(1, peak)) { $0.map { Units.compact($0) } },
            series: [
                .init(name: "requests/s", color: requestColor, points: requests),
                .init(name: "errors/s", color: errorColor, points: ratePoints(timeline, \.errors)),
            ]
        )
    }

    static func latencyChart(_ timeline: [TimelinePoint]) -> SVGChart {
        let peak = Double(timeline.map(\.p99).max() ?? 0)
        let floor = Double(timeline.map(\.p50).filter { $0 > 0 }.min() ?? 0)
        return SVGChart(
            title: "Latency per second",
            x: secondsAxis(timeline),
            y: latencyAxis(typical: floor, peak: peak),
            series: [
                .init(name: "p50", color: requestColor, points: timeline.map { (Double($0.second), Double($0.p50)) }),
                .init(name: "p99", color: p99Color, points: timeline.map { (Double($0.second), Double($0.p99)) }),
            ]
        )
    }

    /// Linear from 0, or log when the peak is 50 times the typical latency or more: a stall makes p99
    /// hundreds of times p50, and a log axis keeps the typical figures readable beside it.
    private static func latencyAxis(typical: Double, peak: Double) -> SVGChart.Axis {
        if typical > 0 && peak / typical >= 50 {
            return .log("latency (log)", typical, peak) { $0.map { Units.compactLatency(UInt64($0)) } }
        }
        return .linear("latency", 0, max(1, peak), label: Units.latencyTickLabels)
    }

    /// x is log10(1 / (1 - percentile)): 0 at 0%, 1 at 90%, 2 at 99%, 3 at 99.9%; the 100% point (the max) at the right end.
    static func distributionChart(_ distribution: LatencyDistribution) -> SVGChart {
        let finite = distribution.points.filter { $0.percentile < 100 }.map { Glibc.log10(100 / (100 - $0.percentile)) }
        let end = max(3, (finite.max() ?? 0).rounded(.up))
        let points = distribution.points.map { point in
            (x: point.percentile < 100 ? Glibc.log10(100 / (100 - point.percentile)) : end, y: Double(point.value))
        }
        let peak = Double(distribution.points.last?.value ?? 0)
        let median = Double(distribution.points.first { $0.percentile >= 50 }?.value ?? 0)
        let ticks = (0...Int(end)).map { SVGChart.Tick(value: Double($0), label: percentileLabel(nines: $0)) }
        return SVGChart(
            title: "Latency by percentile (all steps)",
            x: SVGChart.Axis(title: "percentile", min: 0, max: end, ticks: ticks),
            y: latencyAxis(typical: median, peak: peak),
            series: [.init(name: "latency", color: requestColor, points: points)]
        )
    }

    /// 0 → "0%", 1 → "90%", 2 → "99%", 3 → "99.9%", 4 → "99.99%".
    static func percentileLabel(nines: Int) -> String {
        switch nines {
        case 0: "0%"
        case 1: "90%"
        case 2: "99%"
        default: "99." + String(repeating: "9", count: nines - 2) + "%"
        }
    }

    private static let style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2937; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
        h1 { font-size: 22px; margin-bottom: 4px; }
        h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #e5e7eb; padding-bottom: 4px; }
        .meta { color: #4b5563; }
        table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
        th, td { padding: 3px 10px; border-bottom: 1px solid #f0f0f0; text-align: left; }
        th { font-weight: 600; background: #f9fafb; }
        .num { text-align: right; }
        tr.all td { font-weight: 600; border-top: 1px solid #d1d5db; }
        .pass { color: #15803d; font-weight: 600; }
        .fail { color: #b91c1c; font-weight: 600; }
        .smoke { background: #fef3c7; border: 1px solid #f59e0b; padding: 6px 10px; font-weight: 600; }
        .note { color: #6b7280; font-size: 13px; }
        svg.chart { display: block; max-width: 100%; height: auto; margin: 8px 0; }

        """
}
