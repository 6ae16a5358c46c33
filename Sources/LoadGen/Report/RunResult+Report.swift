/// What every report shows the same way: the rows (each step, then "all") and the breakdown keys in order.
extension RunResult {
    /// The per-step rows followed by the overall row, named "all".
    var reportRows: [StepResult] {
        var all = overall
        all.name = "all"
        return steps + [all]
    }

    /// "open loop, target 5000 it/s" or "closed loop, 50 virtual users".
    var loadDescription: String {
        switch mode {
        case "open":
            let target = targetRate.map { " at \(Units.fixed($0, decimals: $0 < 10 ? 2 : 0)) iterations/s" } ?? ""
            return "open loop" + target
        case "closed":
            let users = virtualUsers.map { ", \($0) virtual users" } ?? ""
            return "closed loop" + users
        default:
            return mode
        }
    }
}

/// What happened, in words every report shows the same way (the issue-12 complaint: "8000
/// started, 2000 completed (25.00%)" for a perfect flash sale read like a failure).
extension RunResult {
    /// What a smoke run's reports say about it.
    static let smokeNote = "smoke run: scaled down to a few seconds and small stock for its checks; its figures are no benchmark"

    /// "8,000 started" then one line per outcome: completed, each early ending (expected or
    /// not), unfinished. Empty when no iteration started.
    var iterationLines: [String] {
        guard iterationsStarted > 0 else { return [] }
        var lines = ["\(Units.count(iterationsCompleted)) completed every step"]
        for ending in iterationEndings {
            let verdict = ending.expected ? "as expected" : "unexpected"
            lines.append("\(Units.count(ending.count)) ended at \(ending.step) on \(ending.answer) (\(verdict))")
        }
        if iterationsUnfinished > 0 { lines.append("\(Units.count(iterationsUnfinished)) still running when the measured part ended") }
        return lines
    }

    /// The business figures as lines ("orders: 2,000 placed, …"); empty without any.
    var businessLines: [String] {
        guard let business, business.orders > 0 || business.groupsStarted > 0 else { return [] }
        var orders = "orders: \(Units.count(business.orders)) placed"
        if business.orders > 0 {
            orders += ", \(Units.fixed(business.ordersPerSecond(measuredSeconds: measuredSeconds), decimals: 1))/s over the measured part"
            if let placing = business.ordersPerSecondWhilePlaced, let span = business.orderSpanSeconds {
                let spanText = Units.fixed(span, decimals: span < 10 ? 2 : 1)
                orders += ", \(Units.fixed(placing, decimals: 1))/s from the first to the last (\(spanText)s)"
            }
        }
        var groups = "groups: \(Units.count(business.groupsStarted)) started, \(Units.count(business.groupsSucceeded)) succeeded"
        let succeededRate = business.groupsSucceededPerSecond(measuredSeconds: measuredSeconds)
        groups += " (\(Units.fixed(succeededRate, decimals: 1))/s over the measured part)"
        groups += ", \(Units.count(business.groupsFailed)) failed"
        let open = business.groupsStarted - business.groupsSucceeded - business.groupsFailed
        if open > 0 { groups += ", \(Units.count(open)) still open" }
        return [orders, groups]
    }
}

/// A breakdown (statuses, problem types, transport errors) as rows of a label and one count per report row.
struct Breakdown {
    var title: String
    var labels: [String]
    /// counts[label][rowIndex]
    var counts: [[Int]]

    var isEmpty: Bool { labels.isEmpty }

    static func statuses(_ rows: [StepResult]) -> Breakdown {
        let codes = Set(rows.flatMap(\.statuses.keys)).sorted()
        return Breakdown(
            title: "status",
            labels: codes.map(String.init),
            counts: codes.map { code in rows.map { $0.statuses[code] ?? 0 } }
        )
    }

    static func problemTypes(_ rows: [StepResult]) -> Breakdown {
        let types = Set(rows.flatMap(\.problemTypes.keys)).sorted()
        return Breakdown(title: "problem type", labels: types, counts: types.map { type in rows.map { $0.problemTypes[type] ?? 0 } })
    }

    static func transportErrors(_ rows: [StepResult]) -> Breakdown {
        let kinds = Set(rows.flatMap(\.transportErrors.keys)).sorted()
        return Breakdown(
            title: "transport error",
            labels: kinds.map(\.rawValue),
            counts: kinds.map { kind in rows.map { $0.transportErrors[kind] ?? 0 } }
        )
    }
}
