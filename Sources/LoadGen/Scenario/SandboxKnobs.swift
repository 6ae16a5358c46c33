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
