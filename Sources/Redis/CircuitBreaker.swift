import IOCore

/// The breaker's state machine, without I/O or clocks of its own (times are passed in).
///
/// Closed: calls go through; `failureThreshold` consecutive failures open it. Open: calls are
/// refused until `coolDown` has passed; then the next call is let through as the one probe
/// (half-open) while others are still refused. The probe's success closes the breaker, its
/// failure opens it for another cool-down.
struct CircuitBreaker {
    enum State: Sendable, Equatable {
        case closed, open, halfOpen
    }

    enum Admission: Equatable {
        case allowed
        /// The one call let through in the half-open state; report its outcome as a probe.
        case probe
        case rejected
    }

    let failureThreshold: Int
    let coolDown: Duration
    private(set) var state = State.closed
    private(set) var consecutiveFailures = 0
    private(set) var timesOpened = 0
    private var openUntil = LoopInstant(nanoseconds: 0)

    init(failureThreshold: Int, coolDown: Duration) {
        self.failureThreshold = max(1, failureThreshold)
        self.coolDown = coolDown
    }

    mutating func admit(at now: LoopInstant) -> Admission {
        switch state {
        case .closed:
            return .allowed
        case .open where now >= openUntil:
            state = .halfOpen
            return .probe
        case .open, .halfOpen:
            // Half-open means the probe is in flight: it always reports (commands time out).
            return .rejected
        }
    }

    mutating func record(success: Bool, probe: Bool, at now: LoopInstant) {
        switch state {
        case .closed:
            if success {
                consecutiveFailures = 0
            } else {
                consecutiveFailures += 1
                if consecutiveFailures >= failureThreshold { open(at: now) }
            }
        case .halfOpen where probe:
            if success {
                state = .closed
                consecutiveFailures = 0
            } else {
                consecutiveFailures += 1
                open(at: now)
            }
        case .halfOpen, .open:
            // Outcomes of calls let in before the breaker opened say nothing about Redis now.
            return
        }
    }

    private mutating func open(at now: LoopInstant) {
        state = .open
        openUntil = now.advanced(by: coolDown)
        timesOpened += 1
    }
}
