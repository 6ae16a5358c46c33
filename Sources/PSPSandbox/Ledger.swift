import IOCore
import PSPWire
import Synchronization

/// Everything the sandbox knows, behind one lock: intents, refunds, idempotency answers,
/// emitted events with their delivery attempts, figures and the knobs. Loops are separate
/// threads and any of them may serve any call, so every read and change goes through
/// `state.withLock`; each API operation is one critical section, which is what makes
/// concurrent identical requests with one idempotency key create one object.
final class Ledger: Sendable {
    let state: Mutex<LedgerState>
    private let initialKnobs: Knobs
    private let seed: UInt64

    init(knobs: Knobs, seed: UInt64) {
        self.initialKnobs = knobs
        self.seed = seed
        self.state = Mutex(LedgerState(knobs: knobs, seed: seed))
    }

    /// Forgets everything and goes back to the knobs and seed of the start.
    func reset() {
        state.withLock { $0 = LedgerState(knobs: initialKnobs, seed: seed, generation: $0.generation + 1) }
    }

    static func now() -> Int64 { WallClockTime.now().seconds }
}

/// A stored answer to replay for a repeated idempotency key.
struct StoredAnswer {
    let fingerprint: [UInt8]
    let body: [UInt8]
}

/// One emitted event and what became of its deliveries.
struct EventRecord {
    let event: PSPEvent
    /// The exact bytes every attempt sends (and signs).
    let body: [UInt8]
    var attempts: [AttemptRecord] = []
    /// Deliveries planned: 1 + the duplicate knob at emission.
    var copies = 1
}

/// One delivery attempt.
struct AttemptRecord: Codable {
    /// 0 for the original delivery, 1... for duplicates.
    var copy: Int
    /// 1 for the first attempt of this copy.
    var attempt: Int
    /// "delivered" (2xx), "failed" (other status or no answer) or "dropped" (knob).
    var outcome: String
    var status: Int?
    var error: String?
    /// Wall clock, milliseconds since the epoch.
    var atMs: Int64

    enum CodingKeys: String, CodingKey {
        case copy, attempt, outcome, status, error
        case atMs = "at_ms"
    }
}

struct LedgerState {
    var knobs: Knobs
    var random: SeededRandom
    var ids: SeededRandom
    /// The start of every id this state hands out (`SeededRandom.epoch`).
    let idEpoch = SeededRandom.epoch()
    /// Bumped by reset, so deliveries in flight from before it are not recorded into new state.
    var generation: Int
    var intents: [String: PaymentIntent] = [:]
    var intentOrder: [String] = []
    var refunds: [String: Refund] = [:]
    var refundsByIntent: [String: [String]] = [:]
    var idempotency: [String: StoredAnswer] = [:]
    var events: [EventRecord] = []
    var eventIndex: [String: Int] = [:]
    /// Events held back by the reorder knob, in emission order.
    var held: [Int] = []
    var paymentsFailed = 0
    var chargesSucceeded = 0
    var apiCalls = 0
    var apiFailuresInjected = 0
    var deliveriesAttempted = 0
    var deliveriesSucceeded = 0
    var deliveriesFailed = 0
    var deliveriesDropped = 0

    init(knobs: Knobs, seed: UInt64, generation: Int = 0) {
        self.knobs = knobs
        self.random = SeededRandom(seed: seed)
        self.ids = SeededRandom(seed: seed ^ 0x5EED_1D5)
        self.generation = generation
    }

    /// A new id: "<prefix>_", this state's epoch, then seeded letters and digits.
    mutating func newID(_ prefix: String) -> String {
        ids.identifier(prefix, epoch: idEpoch)
    }

    // MARK: - Knob decisions

    /// Whether this API call is answered 500 (the fail knobs).
    mutating func shouldFailAPICall() -> Bool {
        apiCalls += 1
        if knobs.failNext > 0 {
            knobs.failNext -= 1
            apiFailuresInjected += 1
            return true
        }
        if random.chance(knobs.failProbability) {
            apiFailuresInjected += 1
            return true
        }
        return false
    }

    /// Whether this delivery attempt is dropped (the drop knobs).
    mutating func shouldDropDelivery() -> Bool {
        if knobs.dropNext > 0 {
            knobs.dropNext -= 1
            return true
        }
        return random.chance(knobs.dropProbability)
    }

    // MARK: - Events

    /// Records a new event; returns the events to deliver now, in order (none while the
    /// reorder knob holds them back).
    mutating func emit(_ type: PSPEventType, _ object: PSPEventObject) -> [Int] {
        let event = PSPEvent(id: newID("evt"), type: type, created: Ledger.now(), object: object)
        // Encoding our own value types cannot fail.
        let body = (try? PSPJSON.encode(event)) ?? []
        events.append(EventRecord(event: event, body: body, copies: 1 + knobs.duplicate))
        eventIndex[event.id] = events.count - 1
        guard knobs.reorderBatch > 1 else { return [events.count - 1] }
        held.append(events.count - 1)
        guard held.count >= knobs.reorderBatch else { return [] }
        return releaseHeld()
    }

    /// Releases held events, reversed or shuffled per the knob.
    mutating func releaseHeld() -> [Int] {
        var batch = held
        held = []
        if knobs.reorderMode == "shuffle" {
            batch.shuffle(using: &random)
        } else {
            batch.reverse()
        }
        return batch
    }

    mutating func record(_ attempt: AttemptRecord, event: Int) {
        guard event < events.count else { return }
        events[event].attempts.append(attempt)
        switch attempt.outcome {
        case "delivered":
            deliveriesAttempted += 1
            deliveriesSucceeded += 1
        case "dropped":
            deliveriesDropped += 1
        default:
            deliveriesAttempted += 1
            deliveriesFailed += 1
        }
    }
}
