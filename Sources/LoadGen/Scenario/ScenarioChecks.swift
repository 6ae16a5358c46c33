public import IOCore
import Foundation
import Postgres

/// The scenario's own checks (its `checks:` section) on the run's result and the database.
public enum ScenarioChecks {
    /// Stock figures of one deal.
    public struct DealFigures: Sendable, Equatable {
        public var total: Int
        public var available: Int
        public var reserved: Int
        public var sold: Int

        public init(total: Int, available: Int, reserved: Int, sold: Int) {
            self.total = total
            self.available = available
            self.reserved = reserved
            self.sold = sold
        }
    }

    /// What the checks read from the database about the run's deals.
    public struct Figures: Sendable, Equatable {
        public var deals: [Int64: DealFigures]
        /// Orders and groups of the run's deals (also the report's `business`).
        public var business: BusinessFigures
        public var groupsSucceeded: Int { business.groupsSucceeded }
        public var groupsFailed: Int { business.groupsFailed }

        public init(deals: [Int64: DealFigures], business: BusinessFigures) {
            self.deals = deals
            self.business = business
        }

        /// Figures without orders, for checks that look at groups only.
        public init(deals: [Int64: DealFigures], groupsSucceeded: Int, groupsFailed: Int) {
            let business = BusinessFigures(
                orders: 0, orderSpanSeconds: nil, groupsStarted: groupsSucceeded + groupsFailed, groupsSucceeded: groupsSucceeded,
                groupsFailed: groupsFailed
            )
            self.init(deals: deals, business: business)
        }
    }

    /// Reads the figures, then evaluates; an unreadable database is one failed outcome.
    public static func evaluate(result: RunResult, scenario: Scenario, context: RunContext, databaseURL: String, loop: EventLoop) async -> [CheckOutcome] {
        let figures = await figures(dealIDs: context.dealIDs.values.flatMap { $0 }, databaseURL: databaseURL, loop: loop)
        return evaluate(result: result, scenario: scenario, context: context, figures: figures)
    }

    /// `readFigures` as a result: an unreadable database is a failed check, not a thrown error.
    public static func figures(dealIDs: [Int64], databaseURL: String, loop: EventLoop) async -> Result<Figures, any Error> {
        do {
            return .success(try await readFigures(dealIDs: dealIDs, databaseURL: databaseURL, loop: loop))
        } catch {
            return .failure(error)
        }
    }

    /// The checks on figures read (or not) from the database.
    public static func evaluate(
        result: RunResult, scenario: Scenario, context: RunContext, figures: Result<Figures, any Error>
    ) -> [CheckOutcome] {
        switch figures {
        case .success(let figures):
            return evaluate(result: result, scenario: scenario, context: context, figures: figures)
        case .failure(let error):
            return [errorRate(result: result, scenario: scenario), CheckOutcome(name: "scenario checks", passed: false, detail: "could not read the database: \(error)")]
        }
    }

    /// The checks on given figures: the error rate always, the others when the scenario asks.
    public static func evaluate(result: RunResult, scenario: Scenario, context: RunContext, figures: Figures) -> [CheckOutcome] {
        var outcomes = [errorRate(result: result, scenario: scenario)]
        for name in scenario.checks.soldOut {
            outcomes.append(soldOut(name, ids: context.dealIDs[name] ?? [], figures: figures))
        }
        if scenario.checks.minGroupsSucceeded > 0 {
            let count = figures.groupsSucceeded
            let minimum = scenario.checks.minGroupsSucceeded
            outcomes.append(CheckOutcome(name: "groups succeeded", passed: count >= minimum, detail: "\(count) groups succeeded (at least \(minimum) expected)"))
        }
        if scenario.checks.minGroupsFailed > 0 {
            let count = figures.groupsFailed
            let minimum = scenario.checks.minGroupsFailed
            outcomes.append(CheckOutcome(name: "groups failed", passed: count >= minimum, detail: "\(count) groups failed (at least \(minimum) expected)"))
        }
        return outcomes
    }

    static func errorRate(result: RunResult, scenario: Scenario) -> CheckOutcome {
        let rate = result.errorRate
        let limit = scenario.checks.maxErrorRate
        let detail = "\(result.overall.errors) of \(result.overall.requests) requests unexpected (\(percent(rate)), at most \(percent(limit)))"
        return CheckOutcome(name: "error rate", passed: rate <= limit, detail: detail)
    }

    /// Every unit of every copy taken: reserved + sold == total, none available.
    static func soldOut(_ name: String, ids: [Int64], figures: Figures) -> CheckOutcome {
        guard !ids.isEmpty else { return CheckOutcome(name: "sold out \(name)", passed: false, detail: "setup made no deal `\(name)`") }
        var problems: [String] = []
        var sold = 0, reserved = 0, total = 0
        for id in ids {
            guard let deal = figures.deals[id] else {
                problems.append("deal \(id) is not in the database")
                continue
            }
            sold += deal.sold
            reserved += deal.reserved
            total += deal.total
            if deal.available != 0 || deal.reserved + deal.sold != deal.total {
                problems.append("deal \(id): \(deal.available) available, reserved \(deal.reserved) + sold \(deal.sold) of \(deal.total)")
            }
        }
        guard problems.isEmpty else { return CheckOutcome(name: "sold out \(name)", passed: false, detail: "not sold out: " + problems.joined(separator: "; ")) }
        return CheckOutcome(name: "sold out \(name)", passed: true, detail: "all \(total) units taken: \(sold) sold, \(reserved) reserved, none available")
    }

    static func percent(_ fraction: Double) -> String {
        let value = fraction * 100
        return value == value.rounded() ? "\(Int(value))%" : String(format: "%.2f%%", value)
    }

    public static func readFigures(dealIDs: [Int64], databaseURL: String, loop: EventLoop) async throws -> Figures {
        try await ScenarioDatabase(url: databaseURL, loop: loop).withConnection { connection in
            let ids = ScenarioDatabase.idArray(dealIDs)
            let stock = try await ScenarioDatabase.rows(
                connection,
                """
                SELECT d.id, d.stock_total, sum(s.available), sum(s.reserved), sum(s.sold)
                FROM deals d JOIN deal_stock_slots s ON s.deal_id = d.id
                WHERE d.id = ANY($1::bigint[]) GROUP BY d.id, d.stock_total
                """,
                [ids]
            )
            var deals: [Int64: DealFigures] = [:]
            for row in stock {
                guard let id = row[0].flatMap({ Int64($0) }) else { continue }
                deals[id] = DealFigures(
                    total: Int(row[1] ?? "") ?? 0, available: Int(row[2] ?? "") ?? 0, reserved: Int(row[3] ?? "") ?? 0, sold: Int(row[4] ?? "") ?? 0
                )
            }
            let groups = try await ScenarioDatabase.rows(
                connection,
                """
                SELECT count(*) FILTER (WHERE status = 'succeeded'), count(*) FILTER (WHERE status = 'failed'), count(*)
                FROM groups WHERE deal_id = ANY($1::bigint[])
                """,
                [ids]
            )
            let orders = try await ScenarioDatabase.rows(
                connection,
                "SELECT count(*), extract(epoch FROM max(created_at) - min(created_at)) FROM orders WHERE deal_id = ANY($1::bigint[])",
                [ids]
            )
            func number(_ rows: [[String?]], _ column: Int) -> Int { Int(rows.first?[column] ?? "") ?? 0 }
            let business = BusinessFigures(
                orders: number(orders, 0), orderSpanSeconds: (orders.first?[1]).flatMap { $0.flatMap(Double.init) },
                groupsStarted: number(groups, 2), groupsSucceeded: number(groups, 0), groupsFailed: number(groups, 1)
            )
            return Figures(deals: deals, business: business)
        }
    }
}
