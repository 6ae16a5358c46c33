import Suggestions
import Yams

/// Reads `${…}` references in a step's path, header values and body, and checks each one
/// against what the scenario has: its deals, its buyers, the variables saved so far.
struct TemplateParser {
    /// Deal names of the scenario.
    let deals: Set<String>
    /// Variables saved by earlier steps of the flow.
    let saved: Set<String>
    /// `users_per_iteration` when the file sets it (else any buyer index is taken and counted).
    let usersPerIteration: Int?
    let environment: [String: String]

    /// Highest `${user.N}` index seen (the parser derives `users_per_iteration` from it).
    private(set) var highestUser = -1

    init(deals: Set<String>, saved: Set<String>, usersPerIteration: Int?, environment: [String: String]) {
        self.deals = deals
        self.saved = saved
        self.usersPerIteration = usersPerIteration
        self.environment = environment
    }

    /// Parses the text of `field`: `$${` is a literal `${`.
    mutating func parse(_ text: String, in field: YAMLField) throws(ScenarioError) -> Template {
        var parts: [TemplatePart] = []
        var literal = ""
        var index = text.startIndex
        func flush() {
            if !literal.isEmpty { parts.append(.literal(literal)) }
            literal = ""
        }
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix("$${") {
                literal += "${"
                index = text.index(index, offsetBy: 3)
                continue
            }
            guard rest.hasPrefix("${") else {
                literal.append(text[index])
                index = text.index(after: index)
                continue
            }
            let line = Self.line(of: index, in: text, field: field)
            let open = text.index(index, offsetBy: 2)
            guard let close = text[open...].firstIndex(of: "}") else {
                throw field.error("`\(field.path)`: `${` is not closed by `}` (write `$${` for a literal `${`)", line: line)
            }
            let reference = text[open..<close].trimmingWhitespace()
            let part = try resolve(reference, field: field, line: line)
            if case .literal(let value) = part {
                literal += value
            } else {
                flush()
                parts.append(part)
            }
            index = text.index(after: close)
        }
        flush()
        return Template(parts)
    }

    private mutating func resolve(_ reference: String, field: YAMLField, line: Int) throws(ScenarioError) -> TemplatePart {
        func fail(_ message: String) -> ScenarioError { field.error("`\(field.path)`: \(message)", line: line) }
        if reference == "run" { return .runID }
        if reference == "iteration" { return .iteration }
        if reference == "deal.any" {
            guard !deals.isEmpty else { throw fail("`${deal.any}` needs at least one deal under `deals`") }
            return .anyDealID
        }
        if reference.hasPrefix("deal.") {
            let name = String(reference.dropFirst(5))
            guard deals.contains(name) else {
                let known = deals.sorted()
                let hint = Suggestion.hint(for: name, among: known)
                throw fail(
                    "unknown deal `\(name)` in `${\(reference)}`\(hint); "
                        + (known.isEmpty ? "the scenario has no `deals`" : "the deals are \(YAMLField.list(known)) (or `deal.any`)")
                )
            }
            return .dealID(name)
        }
        if reference.hasPrefix("user.") {
            guard let index = Int(reference.dropFirst(5)), index >= 0 else {
                throw fail("`${\(reference)}` must name a buyer by number: `${user.0}`, `${user.1}`, …")
            }
            if let usersPerIteration, index >= usersPerIteration {
                throw fail("`${\(reference)}` names buyer \(index) but `users_per_iteration` is \(usersPerIteration) (buyers 0...\(usersPerIteration - 1))")
            }
            highestUser = max(highestUser, index)
            return .userID(index)
        }
        if reference.hasPrefix("env.") {
            let name = String(reference.dropFirst(4))
            guard let value = environment[name] else {
                throw fail("the environment variable `\(name)` is not set (`${\(reference)}`)")
            }
            return .literal(value)
        }
        if reference.hasPrefix("random(") {
            guard reference.hasSuffix(")") else { throw fail("`${\(reference)}` must be `${random(A,B)}` with whole numbers A ≤ B") }
            let arguments = reference.dropFirst(7).dropLast().split(separator: ",", omittingEmptySubsequences: false)
            guard arguments.count == 2, let low = Int(arguments[0].trimmingWhitespace()), let high = Int(arguments[1].trimmingWhitespace()), low <= high
            else { throw fail("`${\(reference)}` must be `${random(A,B)}` with whole numbers A ≤ B") }
            return .randomInt(low...high)
        }
        guard ScenarioParser.isVariableName(reference) else {
            throw fail("`${\(reference)}` is not a reference; expected \(Self.forms)")
        }
        guard saved.contains(reference) else {
            let known = saved.sorted()
            let hint = Suggestion.hint(for: reference, among: known)
            let soFar = known.isEmpty ? "no step before saves anything" : "saved so far: \(YAMLField.list(known))"
            throw fail("`${\(reference)}` is not saved by an earlier step of this flow\(hint) (\(soFar)); expected \(Self.forms)")
        }
        return .saved(reference)
    }

    static let forms = "`deal.NAME`, `deal.any`, `user.N`, `run`, `iteration`, `random(A,B)`, `env.NAME` or a variable an earlier step saves"

    /// The file line of `index`: block scalars (`|`, `>`) start on the line after their mark.
    private static func line(of index: String.Index, in text: String, field: YAMLField) -> Int {
        guard case .scalar(let scalar) = field.node else { return field.line }
        switch scalar.style {
        case .literal, .folded:
            return field.line + 1 + text[..<index].reduce(0) { $1 == "\n" ? $0 + 1 : $0 }
        default:
            return field.line
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" }
        var text = String(String.UnicodeScalarView(scalars))
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
