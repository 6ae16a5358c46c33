import Foundation

/// The `sandbox:` section: psp-sandbox's runtime knobs (docs/PSP.md), checked and turned
/// into the JSON object `POST /_sandbox/config` takes.
enum SandboxKnobs {
    enum Kind {
        case count(minimum: Int), probability, word([String])
    }

    /// Knob names as the sandbox spells them, in the order the docs list them.
    static let knobs: [(name: String, kind: Kind)] = [
        ("webhook_delay_ms", .count(minimum: 0)), ("duplicate", .count(minimum: 0)), ("reorder_batch", .count(minimum: 0)),
        ("reorder_mode", .word(["reverse", "shuffle"])), ("drop_next", .count(minimum: 0)), ("drop_probability", .probability),
        ("fail_next", .count(minimum: 0)), ("fail_probability", .probability), ("api_delay_ms", .count(minimum: 0)),
        ("webhook_retry_base_ms", .count(minimum: 1)), ("webhook_max_attempts", .count(minimum: 1)), ("webhook_timeout_ms", .count(minimum: 1)),
        ("refund_settle_delay_ms", .count(minimum: 0)), ("seed", .count(minimum: 0)),
    ]

    static func json(_ field: YAMLField) throws(ScenarioError) -> String {
        let mapping = try field.mapping(allowed: knobs.map(\.name))
        var members: [String] = []
        for entry in mapping.entries {
            let kind = knobs.first { $0.name == entry.key }!.kind
            let value: String
            switch kind {
            case .count(let minimum): value = String(try entry.value.int(in: minimum...Int.max))
            case .probability: value = String(try entry.value.double(in: 0...1, what: "a probability"))
            case .word(let choices): value = "\"\(try entry.value.word(oneOf: choices))\""
            }
            members.append("\"\(entry.key)\":\(value)")
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

extension SandboxKnobs {
    /// What puts back the knobs a scenario's config changes: their values before the run, as
    /// `GET /_sandbox/config` answered them. `seed` is not among them: the generator it seeds
    /// has moved on whatever we do.
    static func restore(changing config: String, from current: [String: Any]) throws(ScenarioSetupError) -> SandboxRestore {
        let changed = (try? JSONSerialization.jsonObject(with: Data(config.utf8))) as? [String: Any] ?? [:]
        var previous: [String: Any] = [:]
        for name in changed.keys where name != "seed" {
            guard let value = current[name] else {
                throw ScenarioSetupError(
                    call: "GET /_sandbox/config", status: 200,
                    detail: "the sandbox does not show `\(name)`, so the run could not put it back afterwards (an older psp-sandbox?)"
                )
            }
            previous[name] = value
        }
        let names = knobs.map(\.name).filter { previous[$0] != nil }
        let data = try? JSONSerialization.data(withJSONObject: previous, options: [.sortedKeys])
        let body = data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let summary = names.map { "\($0)=\(previous[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
        return SandboxRestore(body: body, names: names, summary: summary)
    }
}

/// The `POST /_sandbox/config` body that puts changed knobs back, and what it sets.
public struct SandboxRestore: Sendable, Equatable {
    /// A JSON object of the knobs' earlier values.
    public var body: String
    /// The knobs it sets, in the docs' order.
    public var names: [String]
    /// `duplicate=0 reorder_batch=0`.
    public var summary: String
}
