import Foundation
import Suggestions
import Yams

extension ScenarioParser {
    static let flowKeys = ["name", "weight", "steps"]
    static let stepKeys = ["name", "as", "target", "request", "headers", "body", "save", "expect", "chance"]
    static let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    /// Reserved words of `${…}`: never variable names.
    static let reserved: Set<String> = ["deal", "user", "run", "iteration", "random", "env"]
    /// The service's problem types (docs/API.md), for `expect`.
    static let problemTypes = [
        "validation", "malformed-json", "unsupported-media-type", "bad-query", "not-found", "precondition-required", "version-mismatch",
        "deal-closed", "unauthenticated", "forbidden", "database-busy", "database-unavailable", "timeout", "deal-not-active", "sold-out",
        "group-not-open", "group-expired", "group-full", "already-in-group", "purchase-limit-exceeded", "order-state",
        "payment-window-closed", "bad-idempotency-key", "idempotency-key-reused", "idempotency-key-in-progress", "bad-signature",
        "payments-not-configured", "payment-provider-unavailable", "payment-provider-refused",
    ]

    static func readFlows(
        _ field: YAMLField, deals: Set<String>, usersPerIteration: Int?, environment: [String: String], highestUser: inout Int
    ) throws(ScenarioError) -> [Flow] {
        var flows: [Flow] = []
        var lines: [String: Int] = [:]
        let items = try field.list()
        guard !items.isEmpty else { throw field.error("`flows` needs at least one flow (`- name: …` with `steps`)") }
        for item in items {
            let flow = try item.mapping(allowed: flowKeys)
            let name = try flow.required("name", what: "what results and messages call this flow").string()
            if let first = lines[name] {
                throw flow["name"]!.error("two flows are named `\(name)` (the first on line \(first))")
            }
            lines[name] = flow["name"]!.line
            let steps = try flow.required("steps", what: "the requests of one iteration of this flow")
            flows.append(
                Flow(
                    name: name, weight: try flow["weight"]?.int(in: 1...1_000_000) ?? 1,
                    steps: try readSteps(steps, deals: deals, usersPerIteration: usersPerIteration, environment: environment, highestUser: &highestUser)
                )
            )
        }
        return flows
    }

    static func readSteps(
        _ field: YAMLField, deals: Set<String>, usersPerIteration: Int?, environment: [String: String], highestUser: inout Int
    ) throws(ScenarioError) -> [Step] {
        let items = try field.list()
        guard !items.isEmpty else { throw field.error("`\(field.path)` needs at least one step (`- request: GET /v1/deals`)") }
        var saved: Set<String> = []
        var steps: [Step] = []
        for item in items {
            var templates = TemplateParser(deals: deals, saved: saved, usersPerIteration: usersPerIteration, environment: environment)
            let step = try readStep(item, templates: &templates, usersPerIteration: usersPerIteration)
            highestUser = max(highestUser, templates.highestUser)
            if case .buyer(let index) = step.actor { highestUser = max(highestUser, index) }
            saved.formUnion(step.saves.map(\.variable))
            steps.append(step)
        }
        return steps
    }

    private static func readStep(_ item: YAMLField, templates: inout TemplateParser, usersPerIteration: Int?) throws(ScenarioError) -> Step {
        let step = try item.mapping(allowed: stepKeys)
        let request = try step.required("request", what: "the method and path, e.g. `request: GET /v1/deals/${deal.any}`")
        let text = try request.string()
        // The method, one or more spaces, the path: spaces only inside `${…}` (`${random(1, 9)}`).
        let trimmed = text.trimmingWhitespace()
        let space = trimmed.firstIndex(of: " ")
        let method = String(trimmed[..<(space ?? trimmed.endIndex)])
        let pathText = space.map { String(trimmed[$0...]).trimmingWhitespace() } ?? ""
        guard !pathText.isEmpty, !withoutReferences(pathText).contains(where: \.isWhitespace) else {
            throw request.error("`\(request.path)` must be a method and a path, e.g. `POST /v1/groups`; found `\(text)`")
        }
        guard methods.contains(method) else {
            throw request.error("`\(request.path)`: unknown method `\(method)`" + Suggestion.hint(for: method, among: methods) + "; expected one of \(YAMLField.list(methods))")
        }
        guard pathText.hasPrefix("/") else {
            throw request.error("`\(request.path)`: the path must start with `/` (origin form, no host), found `\(pathText)`")
        }
        let path = try templates.parse(pathText, in: request)

        var target = Target.service
        if let field = step["target"] { target = Target(rawValue: try field.word(oneOf: ["service", "provider"])) ?? .service }
        let actor = try readActor(step["as"], target: target, usersPerIteration: usersPerIteration)

        var headers: [(name: String, value: Template)] = []
        if let field = step["headers"] {
            for entry in try field.mapping(allowed: nil).entries {
                let lower = entry.key.lowercased()
                guard !entry.key.isEmpty, entry.key.unicodeScalars.allSatisfy(isTokenCharacter) else {
                    throw field.error("header name `\(entry.key)` is not an HTTP token", line: entry.keyLine)
                }
                if ["content-length", "transfer-encoding", "host", "connection"].contains(lower) {
                    throw field.error("header `\(entry.key)` is set by gbload itself; leave it out", line: entry.keyLine)
                }
                if lower == "authorization" {
                    throw field.error("`Authorization` comes from `as:` (a buyer, `admin` or `anonymous`) or the provider key; leave it out", line: entry.keyLine)
                }
                guard case .scalar = entry.value.node else { throw entry.value.expected("text") }
                headers.append((entry.key, try templates.parse(try entry.value.string(), in: entry.value)))
            }
        }
        var body: Template?
        if let field = step["body"] {
            guard case .scalar = field.node else {
                throw field.expected("text (JSON in quotes, or a block after `|`)")
            }
            body = try templates.parse(try field.string(), in: field)
            if !headers.contains(where: { $0.name.lowercased() == "content-type" }) {
                headers.append(("Content-Type", .literal("application/json")))
            }
        }

        var saves: [(variable: String, path: String)] = []
        if let field = step["save"] {
            for entry in try field.mapping(allowed: nil).entries {
                guard isVariableName(entry.key), !reserved.contains(entry.key) else {
                    throw field.error(
                        "cannot save into `\(entry.key)`: a variable name is letters, digits and `_` (not starting with a digit) and not one of \(YAMLField.list(reserved.sorted()))",
                        line: entry.keyLine
                    )
                }
                let path = try entry.value.string()
                guard !path.isEmpty, path.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({ !$0.isEmpty }) else {
                    throw entry.value.error("`\(entry.value.path)` must be a dotted path into the JSON answer, e.g. `id` or `order.id`; found `\(path)`")
                }
                saves.append((entry.key, path))
            }
        }

        let expect = try readExpectation(step["expect"], target: target)
        let chance = try step["chance"]?.double(in: 0...1, what: "a probability") ?? 1
        if chance == 0 { throw step["chance"]!.error("`\(step["chance"]!.path)` is 0, so the step never runs; remove the step or give it a chance above 0") }
        let name = try step["name"]?.string() ?? "\(method) \(pathText)"
        return Step(
            name: name, target: target, actor: actor, method: method, path: path, headers: headers, body: body, chance: chance, saves: saves,
            expect: expect, line: item.line
        )
    }

    private static func readActor(_ field: YAMLField?, target: Target, usersPerIteration: Int?) throws(ScenarioError) -> Actor {
        guard let field else { return .anonymous }
        if target == .provider {
            throw field.error("a `target: provider` step carries the provider's API key, not a buyer's token; leave out `as`")
        }
        if case .scalar(let scalar) = field.node, scalar.style == .plain, let index = field.node.int {
            guard index >= 0 else { throw field.error("`\(field.path)` must be a buyer number 0 or more, `admin` or `anonymous`; found \(index)") }
            if let usersPerIteration, index >= usersPerIteration {
                throw field.error(
                    "`\(field.path)` is buyer \(index) but `users_per_iteration` is \(usersPerIteration) (buyers 0...\(usersPerIteration - 1)); raise `users_per_iteration` or use a lower number"
                )
            }
            return .buyer(index)
        }
        guard case .scalar(let scalar) = field.node, ["admin", "anonymous"].contains(scalar.string) else {
            throw field.expected("a buyer number (0, 1, …), `admin` or `anonymous`")
        }
        return scalar.string == "admin" ? .admin : .anonymous
    }

    /// Status codes and problem types; with problem types only, any 2xx counts as well.
    private static func readExpectation(_ field: YAMLField?, target: Target) throws(ScenarioError) -> Expectation {
        guard let field else { return Expectation() }
        let items: [YAMLField]
        if case .sequence = field.node { items = try field.list() } else { items = [field] }
        var statuses: Set<Int> = []
        var problems: Set<String> = []
        for item in items {
            guard case .scalar(let scalar) = item.node else { throw item.expected("a status code (`201`) or a problem type (`sold-out`)") }
            if scalar.style == .plain, let status = item.node.int {
                guard (100...599).contains(status) else { throw item.error("`\(item.path)`: \(status) is not an HTTP status code (100...599)") }
                statuses.insert(status)
                continue
            }
            let type = scalar.string
            guard target == .service else {
                throw item.error("`\(item.path)`: the provider's answers have no problem types; list status codes (e.g. `409`)")
            }
            guard problemTypes.contains(type) else {
                throw item.error(
                    "`\(item.path)`: unknown problem type `\(type)`" + Suggestion.hint(for: type, among: problemTypes)
                        + " (docs/API.md lists them; write status codes as numbers)"
                )
            }
            problems.insert(type)
        }
        if statuses.isEmpty { statuses = Set(200...299) }
        return Expectation(statuses: statuses, problemTypes: problems)
    }

    /// `text` with its `${…}` references removed.
    private static func withoutReferences(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { return result + rest[open.lowerBound...] }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIILetter || ("0"..."9").contains(scalar) || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
    }
}
