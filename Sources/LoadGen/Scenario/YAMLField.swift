import Suggestions
import Yams
import Foundation

/// A YAML node with the file it came from: typed reads whose errors name the line and say
/// what was expected and what was found.
struct YAMLField {
    let node: Node
    let file: String
    /// What the node is, for messages: "`load.vus`".
    let path: String

    var line: Int { node.mark?.line ?? 1 }

    func error(_ message: String, line: Int? = nil) -> ScenarioError {
        ScenarioError(file: file, line: line ?? self.line, message: message)
    }

    /// The node described for "found …" in messages.
    var found: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if node.null != nil && scalar.style == .plain { return "nothing" }
            let text = scalar.string.count > 40 ? String(scalar.string.prefix(40)) + "…" : scalar.string
            return "`\(text)`"
        }
    }

    func expected(_ what: String) -> ScenarioError {
        error("`\(path)` must be \(what), found \(found)")
    }

    // MARK: - Scalars

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node, node.null == nil || scalar.style != .plain else { throw expected("text") }
        return scalar.string
    }

    /// A plain name-like value (`closed`, `service`): text, not a number or a mapping.
    func word(oneOf choices: [String]) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node else { throw expected("one of \(Self.list(choices))") }
        guard choices.contains(scalar.string) else {
            throw error(
                "`\(path)` must be one of \(Self.list(choices)), found `\(scalar.string)`" + Suggestion.hint(for: scalar.string, among: choices)
            )
        }
        return scalar.string
    }

    func int(in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = node.int else {
            throw expected("a whole number in \(Self.describe(range))")
        }
        guard range.contains(value) else { throw error("`\(path)` must be in \(Self.describe(range)), found \(value)") }
        return value
    }

    func double(in range: ClosedRange<Double>, what: String = "a number") throws(ScenarioError) -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = node.float, value.isFinite else {
            throw expected("\(what) in \(range.lowerBound)...\(range.upperBound)")
        }
        guard range.contains(value) else { throw error("`\(path)` must be in \(range.lowerBound)...\(range.upperBound), found \(scalar.string)") }
        return value
    }

    /// A number greater than zero (rates).
    func positive() throws(ScenarioError) -> Double {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = node.float, value.isFinite else {
            throw expected("a number greater than 0")
        }
        guard value > 0 else { throw error("`\(path)` must be greater than 0, found \(scalar.string)") }
        return value
    }

    func bool() throws(ScenarioError) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = node.bool else { throw expected("true or false") }
        return value
    }

    /// `500ms`, `10s`, `1.5s`, `2m`, `1h`; a bare number is seconds (`DurationText`).
    func duration() throws(ScenarioError) -> Duration {
        guard case .scalar(let scalar) = node, let value = DurationText.parse(scalar.string) else {
            throw expected("a duration such as `500ms`, `10s`, `2m` or `1h`")
        }
        return value
    }

    // MARK: - Collections

    func list() throws(ScenarioError) -> [YAMLField] {
        guard case .sequence(let sequence) = node else { throw expected("a list") }
        return sequence.enumerated().map { YAMLField(node: $1, file: file, path: "\(path)[\($0)]") }
    }

    /// The node as a mapping whose keys must be among `allowed` (an unknown key is an error
    /// naming the closest allowed one).
    func mapping(allowed: [String]?) throws(ScenarioError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else { throw expected("a mapping (`key: value` lines)") }
        var entries: [(key: String, keyLine: Int, value: YAMLField)] = []
        for (key, value) in mapping {
            let keyLine = key.mark?.line ?? line
            guard case .scalar(let scalar) = key else {
                throw ScenarioError(file: file, line: keyLine, message: "keys of `\(path)` must be names, found \(YAMLField(node: key, file: file, path: path).found)")
            }
            let name = scalar.string
            if let allowed, !allowed.contains(name) {
                let prefix = path.isEmpty ? "" : " in `\(path)`"
                throw ScenarioError(
                    file: file, line: keyLine,
                    message: "unknown key `\(name)`\(prefix)" + Suggestion.hint(for: name, among: allowed) + "; expected one of \(Self.list(allowed))"
                )
            }
            if let first = entries.first(where: { $0.key == name }) {
                throw ScenarioError(file: file, line: keyLine, message: "`\(name)` appears twice in `\(path.isEmpty ? "the file" : path)` (first on line \(first.keyLine))")
            }
            entries.append((name, keyLine, YAMLField(node: value, file: file, path: path.isEmpty ? name : "\(path).\(name)")))
        }
        return YAMLMapping(field: self, entries: entries)
    }

    static func list(_ choices: [String]) -> String {
        choices.map { "`\($0)`" }.joined(separator: ", ")
    }

    static func describe(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max ? "\(range.lowerBound) or more" : "\(range.lowerBound)...\(range.upperBound)"
    }
}

/// A mapping's entries in file order, looked up by key.
struct YAMLMapping {
    let field: YAMLField
    let entries: [(key: String, keyLine: Int, value: YAMLField)]

    subscript(key: String) -> YAMLField? {
        entries.first { $0.key == key }?.value
    }

    /// The value of a key that must be there.
    func required(_ key: String, what: String) throws(ScenarioError) -> YAMLField {
        guard let value = self[key] else {
            let name = field.path.isEmpty ? "the file" : "`\(field.path)`"
            throw field.error("\(name) needs `\(key)`: \(what)")
        }
        return value
    }
}

/// A duration as the files write it (`1h2m`, `250ms`), for messages.
func formatDuration(_ duration: Duration) -> String {
    let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds == 0 { return "0s" }
    if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
    var seconds = milliseconds / 1000
    var text = ""
    if seconds >= 3600 { text += "\(seconds / 3600)h"; seconds %= 3600 }
    if seconds >= 60 { text += "\(seconds / 60)m"; seconds %= 60 }
    if seconds > 0 { text += "\(seconds)s" }
    return text
}
