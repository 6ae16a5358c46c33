import Foundation
import Suggestions
import Yams

/// Reads a scenario file (YAML, format in loadtest/scenarios/README.md) into a `Scenario`,
/// checking every reference on the way: each error names its line.
public enum ScenarioParser {
    /// Parses `text` read from `file` (the name used in messages). `${env.NAME}` references
    /// are resolved from `environment` now.
    public static func parse(_ text: String, file: String, environment: [String: String] = [:]) throws(ScenarioError) -> Scenario {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ScenarioError(file: file, line: 1, message: "the file is empty; a scenario needs at least `steps` or `flows`")
            }
            root = node
        } catch let error as ScenarioError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: file, text: text)
        } catch {
            throw ScenarioError(file: file, line: 1, message: "not YAML: \(error)")
        }
        let top = try YAMLField(node: root, file: file, path: "").mapping(allowed: topKeys)
        return try read(top, file: file, environment: environment)
    }

    static let topKeys = ["name", "description", "users", "users_per_iteration", "deals", "sandbox", "load", "flows", "steps", "settle", "checks"]

    private static func read(_ top: YAMLMapping, file: String, environment: [String: String]) throws(ScenarioError) -> Scenario {
        let name = try top["name"]?.string() ?? defaultName(file)
        let description = try top["description"]?.string() ?? ""
        let usersPerIteration = try top["users_per_iteration"]?.int(in: 1...1000)
        let deals = try top["deals"].map { (field) throws(ScenarioError) in try readDeals(field) } ?? []
        let sandbox = try top["sandbox"].map { (field) throws(ScenarioError) in try SandboxKnobs.json(field) }
        let load = try readLoad(top["load"])

        let dealNames = Set(deals.map(\.name))
        var highestUser = -1
        let flows: [Flow]
        switch (top["flows"], top["steps"]) {
        case (.some, .some):
            throw top.field.error("the file has both `flows` and `steps`; use `steps` for one flow, `flows` for several", line: top.entries.first { $0.key == "steps" }?.keyLine)
        case (.some(let list), nil):
            flows = try readFlows(list, deals: dealNames, usersPerIteration: usersPerIteration, environment: environment, highestUser: &highestUser)
        case (nil, .some(let steps)):
            flows = [
                Flow(
                    name: name, weight: 1,
                    steps: try readSteps(steps, deals: dealNames, usersPerIteration: usersPerIteration, environment: environment, highestUser: &highestUser)
                )
            ]
        case (nil, nil):
            throw top.field.error("the file needs `steps` (the requests of one iteration) or `flows` (several kinds of iteration, chosen by weight)")
        }

        let perIteration = usersPerIteration ?? max(1, highestUser + 1)
        let users: Int
        if let field = top["users"] {
            users = try field.int(in: 1...10_000_000)
            guard users >= perIteration else {
                throw field.error("`users` is \(users) but one iteration acts as \(perIteration) buyers (`users_per_iteration`); make it at least \(perIteration)")
            }
        } else {
            users = max(100, perIteration)
        }
        let checks = try readChecks(top["checks"], deals: dealNames)
        let settle = try readSettle(top["settle"])
        return Scenario(
            name: name, description: description, users: users, usersPerIteration: perIteration, deals: deals, sandboxConfig: sandbox,
            flows: flows, load: load, settle: settle, checks: checks
        )
    }

    static func defaultName(_ file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? file
        for suffix in [".yaml", ".yml"] where base.hasSuffix(suffix) { return String(base.dropLast(suffix.count)) }
        return base
    }

    // MARK: - Deals

    static let dealKeys = ["stock", "group_size", "per_user_limit", "price", "list_price", "ends_in", "copies"]

    private static func readDeals(_ field: YAMLField) throws(ScenarioError) -> [DealSpec] {
        let deals = try field.mapping(allowed: nil)
        var specs: [DealSpec] = []
        for entry in deals.entries {
            let name = entry.key
            guard isVariableName(name.replacingOccurrences(of: "-", with: "_")), name != "any" else {
                throw field.error("deal name `\(name)` must be letters, digits, `_` or `-` (and not `any`, which `${deal.any}` means)", line: entry.keyLine)
            }
            let value = entry.value
            let spec: YAMLMapping? = value.node.null != nil ? nil : try value.mapping(allowed: dealKeys)
            let price = try spec?["price"]?.int(in: 1...1_000_000_000_000) ?? 1_000
            let listPrice = try spec?["list_price"]?.int(in: 1...1_000_000_000_000) ?? max(price, price * 3 / 2)
            if listPrice < price {
                throw (spec?["list_price"] ?? value).error("`\(name)`: `list_price` \(listPrice) is below `price` \(price) (the group price may not exceed the list price)")
            }
            let endsIn = try spec?["ends_in"]?.duration() ?? .seconds(3600)
            if endsIn < .seconds(1) { throw spec!["ends_in"]!.error("`\(value.path).ends_in` must be at least 1s, found \(formatDuration(endsIn))") }
            specs.append(
                DealSpec(
                    name: name, stock: try spec?["stock"]?.int(in: 0...10_000_000) ?? 1_000, groupSize: try spec?["group_size"]?.int(in: 2...100) ?? 2,
                    perUserLimit: try spec?["per_user_limit"]?.int(in: 1...1000) ?? 1, groupPrice: price, listPrice: listPrice, endsIn: endsIn,
                    copies: try spec?["copies"]?.int(in: 1...100_000) ?? 1
                )
            )
        }
        return specs
    }

    // MARK: - Load

    static let loadKeys = ["mode", "vus", "rate", "stages", "warmup", "duration", "ramp", "max_in_flight", "timeout", "iterations"]

    private static func readLoad(_ field: YAMLField?) throws(ScenarioError) -> LoadProfile {
        guard let field else {
            return LoadProfile(mode: .closed(vus: 10), warmup: .zero, duration: .seconds(10), ramp: .zero, maxInFlight: 256, timeout: .seconds(5), iterations: nil)
        }
        let load = try field.mapping(allowed: loadKeys)
        let open: Bool
        if let mode = load["mode"] {
            open = try mode.word(oneOf: ["open", "closed"]) == "open"
        } else {
            open = load["rate"] != nil || load["stages"] != nil
        }
        var duration = try load["duration"]?.duration() ?? .seconds(10)
        let mode: LoadProfile.Mode
        if open {
            if let vus = load["vus"] {
                throw vus.error("`load.vus` is for closed mode (virtual users back to back); open mode paces iterations by `rate` or `stages`")
            }
            switch (load["rate"], load["stages"]) {
            case (.some(let rate), nil):
                mode = .open(RateSchedule(stages: [.init(rate: try rate.positive(), duration: duration)]))
            case (nil, .some(let list)):
                if let given = load["duration"] {
                    throw given.error("`load.duration` is the sum of the `stages` durations in stepped open mode; leave it out")
                }
                var stages: [RateSchedule.Stage] = []
                for item in try list.list() {
                    let stage = try item.mapping(allowed: ["rate", "duration"])
                    stages.append(
                        .init(
                            rate: try stage.required("rate", what: "iterations started per second").positive(),
                            duration: try stage.required("duration", what: "how long to hold the rate, e.g. `10s`").duration()
                        )
                    )
                }
                guard !stages.isEmpty else { throw list.error("`load.stages` needs at least one `{rate: …, duration: …}`") }
                duration = stages.reduce(.zero) { $0 + $1.duration }
                mode = .open(RateSchedule(stages: stages))
            case (.some, .some):
                throw load["stages"]!.error("`load` has both `rate` and `stages`; use `rate` for one constant rate, `stages` for steps")
            case (nil, nil):
                throw field.error("open mode needs `load.rate` (iterations started per second) or `load.stages`")
            }
        } else {
            for key in ["rate", "stages"] {
                if let given = load[key] {
                    throw given.error("`load.\(key)` is for open mode; this load is closed (`vus` virtual users back to back): set `mode: open` or drop `\(key)`")
                }
            }
            mode = .closed(vus: try load["vus"]?.int(in: 1...1_000_000) ?? 10)
        }
        if duration <= .zero, let given = load["duration"] { throw given.error("`load.duration` must be longer than 0s") }
        let timeout = try load["timeout"]?.duration() ?? .seconds(5)
        if timeout <= .zero { throw load["timeout"]!.error("`load.timeout` must be longer than 0s") }
        return LoadProfile(
            mode: mode, warmup: try load["warmup"]?.duration() ?? .zero, duration: duration, ramp: try load["ramp"]?.duration() ?? .zero,
            maxInFlight: try load["max_in_flight"]?.int(in: 1...10_000_000) ?? 256, timeout: timeout,
            iterations: try load["iterations"]?.int(in: 1...Int.max)
        )
    }

    // MARK: - Settle and checks

    private static func readSettle(_ field: YAMLField?) throws(ScenarioError) -> SettleSpec {
        guard let field else { return SettleSpec(untilDealsEnd: false, timeout: .seconds(60)) }
        let settle = try field.mapping(allowed: ["until_deals_end", "timeout"])
        let timeout = try settle["timeout"]?.duration() ?? .seconds(60)
        if timeout <= .zero { throw settle["timeout"]!.error("`settle.timeout` must be longer than 0s") }
        return SettleSpec(untilDealsEnd: try settle["until_deals_end"]?.bool() ?? false, timeout: timeout)
    }

    private static func readChecks(_ field: YAMLField?, deals: Set<String>) throws(ScenarioError) -> CheckSpec {
        guard let field else { return CheckSpec(maxErrorRate: 0.01, soldOut: [], minGroupsSucceeded: 0, minGroupsFailed: 0) }
        let checks = try field.mapping(allowed: ["max_error_rate", "sold_out", "min_groups_succeeded", "min_groups_failed"])
        var soldOut: [String] = []
        if let list = checks["sold_out"] {
            for item in try list.list() {
                let name = try item.string()
                guard deals.contains(name) else {
                    throw item.error("`checks.sold_out` names `\(name)`, which is not under `deals`" + Suggestion.hint(for: name, among: deals.sorted()))
                }
                soldOut.append(name)
            }
        }
        return CheckSpec(
            maxErrorRate: try checks["max_error_rate"]?.double(in: 0...1, what: "a fraction") ?? 0.01, soldOut: soldOut,
            minGroupsSucceeded: try checks["min_groups_succeeded"]?.int(in: 0...Int.max) ?? 0,
            minGroupsFailed: try checks["min_groups_failed"]?.int(in: 0...Int.max) ?? 0
        )
    }

    // MARK: - Syntax errors

    private static func syntaxError(_ error: YamlError, file: String, text: String) -> ScenarioError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _), .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) on line \($0.mark.line))" } ?? ""
            return ScenarioError(file: file, line: mark.line, message: "YAML syntax: \(problem)\(while_)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; the second is the key at the same column further down.
            let first = context.mark.line
            let key = duplicates.first ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let second = lines.indices.first { index in
                index + 1 > first && lines[index].count >= context.mark.column
                    && lines[index].dropFirst(context.mark.column - 1).hasPrefix(key + ":")
            }
            return ScenarioError(
                file: file, line: second.map { $0 + 1 } ?? first,
                message: "\(YAMLField.list(duplicates)) appears twice in one mapping (first on line \(first)); keep one"
            )
        case .reader(let problem, _, _, _):
            return ScenarioError(file: file, line: 1, message: "not readable as YAML: \(problem)")
        default:
            return ScenarioError(file: file, line: 1, message: "not YAML: \(error)")
        }
    }

    /// `order0`, `group`, `intent_1`: what `save` may name and `${…}` may use.
    static func isVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || first.isASCIILetter else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || $0.isASCIILetter || ("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
