import HTTPClient
import HTTPCodec
import IOCore
import PSPWire
import Synchronization

/// Delivers events to the webhook URL, on one loop: one attempt at a time in order of due
/// time (then emission), so the order receivers see is the order the knobs made. Failed
/// and dropped attempts are retried with exponential backoff, resending the same id and
/// body, signed afresh.
///
/// Loop-bound: its queue and timer are touched on `loop` only; other threads hand work over
/// with `submit`.
final class WebhookDispatcher: @unchecked Sendable {
    struct Delivery {
        let event: Int
        let copy: Int
        let attempt: Int
        let due: LoopInstant
        let sequence: Int
        let generation: Int
    }

    let loop: EventLoop
    private let client: HTTPClient
    private let ledger: Ledger
    private let target: WebhookTarget?
    private let secret: String
    /// The sandbox's log (one line per delivery attempt, and the knob changes).
    let log: @Sendable (String) -> Void
    private var queue: [Delivery] = []
    private var sequence = 0
    private var busy = false
    private var wakeup: RepeatingTimer?

    init(loop: EventLoop, ledger: Ledger, target: WebhookTarget?, secret: String, log: @escaping @Sendable (String) -> Void) {
        self.loop = loop
        self.client = HTTPClient(loop: loop)
        self.ledger = ledger
        self.target = target
        self.secret = secret
        self.log = log
    }

    /// Plans the deliveries of `events` (ledger indexes, in order). Any thread.
    func submit(_ events: [Int]) {
        guard !events.isEmpty else { return }
        loop.execute { [self] in
            let (knobs, generation) = ledger.state.withLock { ($0.knobs, $0.generation) }
            let due = loop.now.advanced(by: .milliseconds(knobs.webhookDelayMs))
            for event in events {
                for copy in 0...knobs.duplicate {
                    enqueue(Delivery(event: event, copy: copy, attempt: 1, due: due, sequence: nextSequence(), generation: generation))
                }
            }
            pump()
        }
    }

    /// Settles a refund after `delay`, then delivers its event. Any thread.
    func settle(refund: String, after delay: Duration) {
        loop.execute { [self] in
            loop.scheduleOnce(after: delay) { [self] in
                submit(ledger.state.withLock { $0.settleRefund(refund) })
            }
        }
    }

    /// Drops every planned delivery (after a reset). Any thread.
    func clear() {
        loop.execute { [self] in queue = [] }
    }

    /// Closes idle connections (at shutdown). Loop thread only.
    func closeConnections() {
        client.closeIdleConnections()
        wakeup?.cancel()
    }

    private func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    private func enqueue(_ delivery: Delivery) {
        queue.append(delivery)
    }

    /// Starts the next due delivery, or sets a timer for the earliest one.
    private func pump() {
        while !busy, let index = earliest() {
            let delivery = queue[index]
            let now = LoopInstant.now()
            guard delivery.due <= now else {
                wakeup?.cancel()
                wakeup = loop.scheduleOnce(after: now.duration(to: delivery.due)) { [self] in pump() }
                return
            }
            queue.remove(at: index)
            start(delivery)
        }
    }

    private func earliest() -> Int? {
        queue.indices.min { (queue[$0].due, queue[$0].sequence) < (queue[$1].due, queue[$1].sequence) }
    }

    private func start(_ delivery: Delivery) {
        let (knobs, generation, dropped, record) = ledger.state.withLock { state in
            (state.knobs, state.generation, state.shouldDropDelivery(), delivery.event < state.events.count ? state.events[delivery.event] : nil)
        }
        guard generation == delivery.generation, let record else { return }
        guard let target else { return }  // no webhook URL: events are only recorded
        if dropped {
            finish(delivery, record: record, knobs: knobs, outcome: "dropped", status: nil, error: nil)
            return
        }
        busy = true
        let body = record.body
        let signature = WebhookSignature.sign(body: body, secret: secret, timestamp: Ledger.now())
        let request = HTTPClientRequest(
            method: .post,
            target: target.path,
            headers: [("Content-Type", "application/json"), (WebhookSignature.headerName, signature), ("User-Agent", "psp-sandbox")],
            body: body
        )
        Task(executorPreference: loop) { [self] in
            var status: Int?
            var failure: String?
            do {
                status = try await client.execute(request, to: target.address, timeout: .milliseconds(knobs.webhookTimeoutMs)).status
            } catch {
                failure = "\(error)"
            }
            // Back on the loop (the task prefers it): the dispatcher's state is ours again.
            busy = false
            let delivered = status.map { (200..<300).contains($0) } ?? false
            finish(delivery, record: record, knobs: knobs, outcome: delivered ? "delivered" : "failed", status: status, error: failure)
            pump()
        }
    }

    private func finish(_ delivery: Delivery, record: EventRecord, knobs: Knobs, outcome: String, status: Int?, error: String?) {
        let time = WallClockTime.now()
        let attempt = AttemptRecord(
            copy: delivery.copy, attempt: delivery.attempt, outcome: outcome, status: status, error: error,
            atMs: time.seconds * 1000 + Int64(time.nanoseconds / 1_000_000)
        )
        let current = ledger.state.withLock { state in
            guard state.generation == delivery.generation else { return false }
            state.record(attempt, event: delivery.event)
            return true
        }
        guard current else { return }
        var line = "psp-sandbox: webhook \(record.event.id) \(record.event.type.rawValue) copy=\(delivery.copy) attempt=\(delivery.attempt) \(outcome)"
        if let status { line += " status=\(status)" }
        if let error { line += " error=\"\(error)\"" }
        if outcome != "delivered" {
            if delivery.attempt < knobs.webhookMaxAttempts {
                // base, 2·base, 4·base, ...: capped so a large attempt count cannot overflow.
                let backoff = knobs.webhookRetryBaseMs << min(delivery.attempt - 1, 20)
                line += " retry_in_ms=\(backoff)"
                enqueue(Delivery(
                    event: delivery.event, copy: delivery.copy, attempt: delivery.attempt + 1,
                    due: LoopInstant.now().advanced(by: .milliseconds(backoff)), sequence: nextSequence(), generation: delivery.generation
                ))
            } else {
                line += " gave_up"
            }
        }
        log(line)
    }
}
