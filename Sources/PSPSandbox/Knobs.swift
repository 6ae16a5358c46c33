/// The sandbox's ways to misbehave, settable at start (flags) and at runtime
/// (`POST /_sandbox/config`). Counters and a seeded generator keep them deterministic.
public struct Knobs: Codable, Sendable, Equatable {
    /// Delay before an event's first delivery attempt.
    public var webhookDelayMs = 0
    /// Deliver every event this many extra times (same id, same body).
    public var duplicate = 0
    /// Hold events and release each batch of this many together (0 or 1: off).
    public var reorderBatch = 0
    /// How a released batch is ordered: "reverse" or "shuffle" (seeded).
    public var reorderMode = "reverse"
    /// Drop the next N delivery attempts (not sent; retried like a failure).
    public var dropNext = 0
    /// Drop each delivery attempt with this probability (0...1).
    public var dropProbability = 0.0
    /// Answer the next N API calls with 500 before doing anything.
    public var failNext = 0
    /// Answer each API call with 500 with this probability (0...1).
    public var failProbability = 0.0
    /// Delay every API answer (after its effect) by this much.
    public var apiDelayMs = 0
    /// First retry delay of a failed delivery; doubles with each attempt.
    public var webhookRetryBaseMs = 500
    /// Attempts per delivery, the first included.
    public var webhookMaxAttempts = 5
    /// How long one delivery attempt waits for the receiver's answer.
    public var webhookTimeoutMs = 5000
    /// Time from a refund's answer to its settlement (status succeeded, event refund.succeeded).
    public var refundSettleDelayMs = 0

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case webhookDelayMs = "webhook_delay_ms"
        case duplicate
        case reorderBatch = "reorder_batch"
        case reorderMode = "reorder_mode"
        case dropNext = "drop_next"
        case dropProbability = "drop_probability"
        case failNext = "fail_next"
        case failProbability = "fail_probability"
        case apiDelayMs = "api_delay_ms"
        case webhookRetryBaseMs = "webhook_retry_base_ms"
        case webhookMaxAttempts = "webhook_max_attempts"
        case webhookTimeoutMs = "webhook_timeout_ms"
        case refundSettleDelayMs = "refund_settle_delay_ms"
    }

    /// Problems with the values, each naming the knob; empty when usable.
    public var problems: [String] {
        var problems: [String] = []
        for (name, value) in [
            ("webhook_delay_ms", webhookDelayMs), ("duplicate", duplicate), ("reorder_batch", reorderBatch),
            ("drop_next", dropNext), ("fail_next", failNext), ("api_delay_ms", apiDelayMs),
            ("webhook_retry_base_ms", webhookRetryBaseMs), ("refund_settle_delay_ms", refundSettleDelayMs),
        ] where value < 0 {
            problems.append("\(name) must not be negative")
        }
        if webhookMaxAttempts < 1 { problems.append("webhook_max_attempts must be at least 1") }
        if webhookTimeoutMs < 1 { problems.append("webhook_timeout_ms must be at least 1") }
        if !(0...1).contains(dropProbability) { problems.append("drop_probability must be within 0...1") }
        if !(0...1).contains(failProbability) { problems.append("fail_probability must be within 0...1") }
        if reorderMode != "reverse" && reorderMode != "shuffle" { problems.append("reorder_mode must be reverse or shuffle") }
        return problems
    }
}

/// A partial change of the knobs (`POST /_sandbox/config`): absent fields stay as they are.
/// `seed` re-seeds the generator behind the probabilities and shuffles.
struct KnobsPatch: Decodable {
    var values: [Knobs.CodingKeys: Any] = [:]
    var seed: UInt64?

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        for key in container.allKeys {
            if key.stringValue == "seed" {
                seed = try container.decode(UInt64.self, forKey: key)
                continue
            }
            guard let knob = Knobs.CodingKeys(rawValue: key.stringValue) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "unknown knob '\(key.stringValue)'")
            }
            switch knob {
            case .dropProbability, .failProbability: values[knob] = try container.decode(Double.self, forKey: key)
            case .reorderMode: values[knob] = try container.decode(String.self, forKey: key)
            default: values[knob] = try container.decode(Int.self, forKey: key)
            }
        }
    }

    func apply(to knobs: inout Knobs) {
        for (knob, value) in values {
            switch knob {
            case .webhookDelayMs: knobs.webhookDelayMs = value as! Int
            case .duplicate: knobs.duplicate = value as! Int
            case .reorderBatch: knobs.reorderBatch = value as! Int
            case .reorderMode: knobs.reorderMode = value as! String
            case .dropNext: knobs.dropNext = value as! Int
            case .dropProbability: knobs.dropProbability = value as! Double
            case .failNext: knobs.failNext = value as! Int
            case .failProbability: knobs.failProbability = value as! Double
            case .apiDelayMs: knobs.apiDelayMs = value as! Int
            case .webhookRetryBaseMs: knobs.webhookRetryBaseMs = value as! Int
            case .webhookMaxAttempts: knobs.webhookMaxAttempts = value as! Int
            case .webhookTimeoutMs: knobs.webhookTimeoutMs = value as! Int
            case .refundSettleDelayMs: knobs.refundSettleDelayMs = value as! Int
            }
        }
    }
}
