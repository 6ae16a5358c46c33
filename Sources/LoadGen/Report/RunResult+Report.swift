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
