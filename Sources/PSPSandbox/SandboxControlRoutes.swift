import IOCore
import Foundation
import HTTPCodec
import HTTPServer
import PSPWire
import Synchronization

/// `/_sandbox/...`: knobs, inspection and reset, for tests and reconciliation. No API key:
/// the sandbox is a test double, never a place with real money. Every change of the knobs
/// logs one line naming those not at their defaults.
struct SandboxControlRoutes: Sendable {
    let ledger: Ledger
    let dispatcher: WebhookDispatcher

    func add(to routes: inout RouterBuilder) {
        let ledger = self.ledger
        let dispatcher = self.dispatcher
        routes.get("/_sandbox/config", .immediate { _, _ in
            SandboxRoutes.json(Self.encoded(ledger.state.withLock { $0.knobs }))
        })
        routes.get("/_sandbox/config/changed", .immediate { _, _ in
            SandboxRoutes.json(Self.encoded(KnobChanges(knobs: ledger.state.withLock { $0.knobs })))
        })
        routes.post("/_sandbox/config", .immediate { request, _ in
            let patch: KnobsPatch
            do {
                patch = try JSONDecoder().decode(KnobsPatch.self, from: Data(request.body.bytes))
            } catch {
                return SandboxRoutes.error(.invalid("not a knob object: \(error)"))
            }
            let (knobs, problems, released) = ledger.state.withLock { state -> (Knobs, [String], [Int]) in
                var knobs = state.knobs
                patch.apply(to: &knobs)
                let problems = knobs.problems
                guard problems.isEmpty else { return (state.knobs, problems, []) }
                state.knobs = knobs
                if let seed = patch.seed { state.random = SeededRandom(seed: seed) }
                // Turning reordering off must not strand the events it held.
                let released = knobs.reorderBatch > 1 ? [] : state.releaseHeld()
                return (knobs, [], released)
            }
            guard problems.isEmpty else { return SandboxRoutes.error(.invalid(problems.joined(separator: "; "))) }
            dispatcher.log(Self.knobsLine(knobs, after: "POST /_sandbox/config"))
            dispatcher.submit(released)
            return SandboxRoutes.json(Self.encoded(knobs))
        })
        routes.post("/_sandbox/flush", .immediate { _, _ in
            let released = ledger.state.withLock { $0.releaseHeld() }
            dispatcher.submit(released)
            return SandboxRoutes.json(Self.encoded(["released": released.count]))
        })
        routes.get("/_sandbox/events", .immediate { _, _ in
            let views = ledger.state.withLock { state in state.events.map(EventView.init) }
            return SandboxRoutes.json(Self.encoded(["data": views]))
        })
        routes.get("/_sandbox/stats", .immediate { _, _ in
            SandboxRoutes.json(Self.encoded(ledger.state.withLock { SandboxStats($0) }))
        })
        routes.post("/_sandbox/reset", .immediate { _, _ in
            ledger.reset()
            dispatcher.clear()
            dispatcher.log(Self.knobsLine(ledger.state.withLock { $0.knobs }, after: "POST /_sandbox/reset"))
            return SandboxRoutes.json(Self.encoded(["reset": true]))
        })
    }

    /// `psp-sandbox: knobs after POST /_sandbox/config: duplicate=3 reorder_batch=8 (others default)`.
    static func knobsLine(_ knobs: Knobs, after cause: String) -> String {
        let changed = knobs.changedFromDefaults.isEmpty ? "all default" : knobs.changeSummary + " (others default)"
        return "psp-sandbox: knobs after \(cause): \(changed)"
    }

    static func encoded(_ value: some Encodable) -> [UInt8] {
        (try? PSPJSON.encode(value)) ?? []
    }
}

/// An emitted event with its delivery attempts, as `GET /_sandbox/events` shows it.
struct EventView: Encodable {
    let id: String
    let type: String
    let created: Int64
    let event: PSPEvent
    let copies: Int
    let delivered: Bool
    let attempts: [AttemptRecord]

    init(_ record: EventRecord) {
        id = record.event.id
        type = record.event.type.rawValue
        created = record.event.created
        event = record.event
        copies = record.copies
        delivered = record.attempts.contains { $0.outcome == "delivered" }
        attempts = record.attempts
    }
}

/// `GET /_sandbox/stats`.
struct SandboxStats: Encodable {
    struct RefundFigures: Encodable {
        var count = 0
        var amount = 0
    }

    struct Deliveries: Encodable {
        var attempted: Int
        var succeeded: Int
        var failed: Int
        var dropped: Int
    }

    let intents: Int
    let chargesSucceeded: Int
    let paymentsFailed: Int
    let refunds: Int
    let refundsByIntent: [String: RefundFigures]
    let events: Int
    let eventsHeld: Int
    let deliveries: Deliveries
    let apiCalls: Int
    let apiFailuresInjected: Int

    init(_ state: LedgerState) {
        intents = state.intents.count
        chargesSucceeded = state.chargesSucceeded
        paymentsFailed = state.paymentsFailed
        refunds = state.refunds.count
        var byIntent: [String: RefundFigures] = [:]
        for refund in state.refunds.values {
            byIntent[refund.paymentIntent, default: RefundFigures()].count += 1
            byIntent[refund.paymentIntent, default: RefundFigures()].amount += refund.amount
        }
        refundsByIntent = byIntent
        events = state.events.count
        eventsHeld = state.held.count
        deliveries = Deliveries(
            attempted: state.deliveriesAttempted, succeeded: state.deliveriesSucceeded,
            failed: state.deliveriesFailed, dropped: state.deliveriesDropped
        )
        apiCalls = state.apiCalls
        apiFailuresInjected = state.apiFailuresInjected
    }

    enum CodingKeys: String, CodingKey {
        case intents, refunds, events, deliveries
        case chargesSucceeded = "charges_succeeded"
        case paymentsFailed = "payments_failed"
        case refundsByIntent = "refunds_by_intent"
        case eventsHeld = "events_held"
        case apiCalls = "api_calls"
        case apiFailuresInjected = "api_failures_injected"
    }
}
