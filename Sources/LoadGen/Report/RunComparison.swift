#if canImport(FoundationEssentials)
internal import FoundationEssentials
#else
internal import Foundation
#endif

/// Two JSON reports side by side (`gbload compare OLD.json NEW.json`): throughput and p50/p99/p99.9
/// per step and overall, with the ratio new/old.
public struct RunComparison: Sendable {
    /// One figure of both runs. A side is nil when that run has no such step.
    public struct Metric: Sendable, Equatable {
        public var old: Double?
        public var new: Double?
        /// new / old; nil when a side is missing or old is 0.
        public var ratio: Double? {
            guard let old, let new, old != 0 else { return nil }
            return new / old
        }
    }

    public struct Row: Sendable, Equatable {
        /// The step name, "all" for the overall figures.
        public var step: String
        /// Requests per second.
        public var throughput: Metric
        /// Latencies in microseconds.
        public var p50: Metric
        public var p99: Metric
        public var p999: Metric
    }

    public var oldScenario: String
    public var newScenario: String
    /// The old run's steps in order, then steps only the new run has, then "all".
    public var rows: [Row]
    /// Why the figures may not compare: two scenarios, or a smoke run against a full one.
    public var warnings: [String]

    /// Reads two documents written by `JSONReport.render`.
    public init(old: String, new: String) throws(ReportError) {
        let oldReport = try Self.decode(old, side: "old")
        let newReport = try Self.decode(new, side: "new")
        oldScenario = oldReport.scenario
        newScenario = newReport.scenario
        warnings = Self.warnings(old: oldReport, new: newReport)
        var names = oldReport.steps.map(\.name)
        for step in newReport.steps where !names.contains(step.name) { names.append(step.name) }
        rows = names.map { name in
            Self.row(name, oldReport.steps.first { $0.name == name }, newReport.steps.first { $0.name == name })
        }
        rows.append(Self.row("all", oldReport.overall, newReport.overall))
    }

    /// The warnings, then an aligned table, one row per step, ratios as "1.05x" ("-" where there is none).
    public func render() -> String {
        var out = warnings.map { "warning: \($0)\n" }.joined()
        out += "old: \(oldScenario)\nnew: \(newScenario)\n\n"
        var table = TextTable(header: [
            "step", "req/s old", "new", "ratio", "p50 old", "new", "ratio", "p99 old", "new", "ratio", "p99.9 old", "new", "ratio",
        ])
        for row in rows {
            var cells = [row.step]
            cells += Self.cells(row.throughput) { Units.fixed($0, decimals: 1) }
            for metric in [row.p50, row.p99, row.p999] {
                cells += Self.cells(metric) { Units.latency(UInt64($0)) }
            }
            table.append(cells)
        }
        out += table.render()
        return out
    }

    private static func warnings(old: Report, new: Report) -> [String] {
        var warnings: [String] = []
        if old.scenario != new.scenario {
            warnings.append("the runs are of two scenarios (old \(old.scenario), new \(new.scenario)): their figures do not compare")
        }
        // Version 1 reports do not say; they are taken as full runs.
        let apart = "their figures do not compare"
        switch (old.smoke ?? false, new.smoke ?? false) {
        case (true, false): warnings.append("the old run is a smoke run (scaled down) and the new one a full run: \(apart)")
        case (false, true): warnings.append("the new run is a smoke run (scaled down) and the old one a full run: \(apart)")
        case (true, true): warnings.append("both runs are smoke runs (scaled down): their figures are no benchmark")
        case (false, false): break
        }
        return warnings
    }

    private static func cells(_ metric: Metric, format: (Double) -> String) -> [String] {
        [metric.old.map(format) ?? "-", metric.new.map(format) ?? "-", metric.ratio.map { Units.fixed($0, decimals: 2) + "x" } ?? "-"]
    }

    private static func row(_ name: String, _ old: Step?, _ new: Step?) -> Row {
        func metric(_ figure: (Step) -> Double) -> Metric { Metric(old: old.map(figure), new: new.map(figure)) }
        return Row(
            step: name,
            throughput: metric(\.throughput),
            p50: metric { Double($0.latency.p50) },
            p99: metric { Double($0.latency.p99) },
            p999: metric { Double($0.latency.p99_9) }
        )
    }

    private static func decode(_ text: String, side: String) throws(ReportError) -> Report {
        let report: Report
        do {
            report = try JSONDecoder().decode(Report.self, from: Data(text.utf8))
        } catch {
            throw ReportError(description: "the \(side) report is not a gbload JSON report: \(error)")
        }
        guard report.format == "gbload-report" else {
            throw ReportError(description: "the \(side) report is not a gbload JSON report (format \"\(report.format)\")")
        }
        guard report.version <= JSONReport.version else {
            throw ReportError(description: "the \(side) report has version \(report.version); this gbload reads up to \(JSONReport.version)")
        }
        return report
    }

    /// The part of the JSON report a comparison reads.
    private struct Report: Decodable {
        var format: String
        var version: Int
        var scenario: String
        /// From version 2 on.
        var smoke: Bool?
        var overall: Step
        var steps: [Step]
    }

    private struct Step: Decodable {
        var name: String
        var throughput: Double
        var latency: Latency
    }

    private struct Latency: Decodable {
        var p50: UInt64
        var p99: UInt64
        var p99_9: UInt64
    }
}

/// A report could not be read.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public var description: String
}
