/// Which knobs differ from the built-in defaults: what the sandbox logs at every change and
/// answers on `GET /_sandbox/config/changed`, so a sandbox left misbehaving (a load test's
/// storm knobs, say) says so instead of silently delaying or duplicating webhooks.
extension Knobs {
    /// A knob's value as JSON has it.
    public enum Value: Sendable, Equatable, Encodable, CustomStringConvertible {
        case int(Int), double(Double), word(String)

        public var description: String {
            switch self {
            case .int(let value): String(value)
            case .double(let value): String(value)
            case .word(let value): value
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .int(let value): try container.encode(value)
            case .double(let value): try container.encode(value)
            case .word(let value): try container.encode(value)
            }
        }
    }

    /// Every knob by its JSON name, in the order docs/PSP.md lists them.
    public var values: [(name: String, value: Value)] {
        [
            (CodingKeys.webhookDelayMs.rawValue, .int(webhookDelayMs)), (CodingKeys.duplicate.rawValue, .int(duplicate)),
            (CodingKeys.reorderBatch.rawValue, .int(reorderBatch)), (CodingKeys.reorderMode.rawValue, .word(reorderMode)),
            (CodingKeys.dropNext.rawValue, .int(dropNext)), (CodingKeys.dropProbability.rawValue, .double(dropProbability)),
            (CodingKeys.failNext.rawValue, .int(failNext)), (CodingKeys.failProbability.rawValue, .double(failProbability)),
            (CodingKeys.apiDelayMs.rawValue, .int(apiDelayMs)), (CodingKeys.webhookRetryBaseMs.rawValue, .int(webhookRetryBaseMs)),
            (CodingKeys.webhookMaxAttempts.rawValue, .int(webhookMaxAttempts)),
            (CodingKeys.webhookTimeoutMs.rawValue, .int(webhookTimeoutMs)),
            (CodingKeys.refundSettleDelayMs.rawValue, .int(refundSettleDelayMs)),
        ]
    }

    /// The knobs whose value is not the built-in default, in `values` order.
    public var changedFromDefaults: [(name: String, value: Value)] {
        zip(values, Knobs().values).filter { $0.0.value != $0.1.value }.map(\.0)
    }

    /// `duplicate=3 reorder_batch=8`, or `all default`.
    public var changeSummary: String {
        let changed = changedFromDefaults
        return changed.isEmpty ? "all default" : changed.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
    }
}

/// `GET /_sandbox/config/changed`: `{"changed": {"duplicate": 3, …}, "summary": "duplicate=3 …"}`
/// (`{}` and `"all default"` when nothing differs from the built-in defaults).
struct KnobChanges: Encodable {
    let knobs: Knobs

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private enum CodingKeys: String, CodingKey { case changed, summary }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        var changed = container.nestedContainer(keyedBy: Name.self, forKey: .changed)
        for (name, value) in knobs.changedFromDefaults { try changed.encode(value, forKey: Name(stringValue: name)) }
        try container.encode(knobs.changeSummary, forKey: .summary)
    }
}
