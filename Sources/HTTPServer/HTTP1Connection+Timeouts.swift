import HTTPCodec
import IOCore

/// The deadlines a connection may be under; which one applies follows from its phase.
struct TimeoutState {
    /// How long the server keeps draining input after its final response.
    static let lingerDuration: Duration = .seconds(2)
    static let drainingLingerDuration: Duration = .milliseconds(100)

    var headerDeadline = LoopInstant(nanoseconds: 0)
    var bodyDeadline = LoopInstant(nanoseconds: 0)
    var requestDeadline = LoopInstant(nanoseconds: 0)
    var lingerDeadline = LoopInstant(nanoseconds: 0)
    var writeProgress = LoopInstant(nanoseconds: 0)
    var writeBlocked = false
    var streamChunked = false
}

extension HTTP1Connection: TimerTarget {
    enum Timeout: Int {
        case idle, header, body, write, deadline, linger
    }

    /// Arms the one timer a connection has for whichever timeout its phase calls for.
    func updateTimer() {
        let configuration = serverLoop.configuration
        let (kind, deadline): (Timeout, LoopInstant)
        if timeouts.writeBlocked && outbound.hasPending {
            (kind, deadline) = (.write, timeouts.writeProgress.advanced(by: configuration.writeTimeout))
        } else {
            switch phase {
            case .closed, .streaming:
                loop.timers.cancel(timer)
                return
            case .lingering:
                (kind, deadline) = (.linger, timeouts.lingerDeadline)
            case .handling:
                (kind, deadline) = (.deadline, timeouts.requestDeadline)
            case .readingBody:
                (kind, deadline) = (.body, timeouts.bodyDeadline)
            case .awaitingHead:
                if (chunk?.readableBytes ?? 0) > 0 || requestsServed == 0 {
                    (kind, deadline) = (.header, timeouts.headerDeadline)
                } else {
                    // Idle counts from the moment the connection fell idle: keep an armed idle timer.
                    if timer.isArmed && timer.tag == Timeout.idle.rawValue { return }
                    (kind, deadline) = (.idle, loop.now.advanced(by: configuration.idleTimeout))
                }
            }
        }
        // Re-arming costs two list operations; skip it when nothing changed.
        if timer.isArmed && timer.tag == kind.rawValue && timer.deadline == deadline { return }
        timer.tag = kind.rawValue
        loop.timers.schedule(timer, at: deadline)
    }

    func timerFired(_ timer: LoopTimer) {
        guard phase != .closed, let kind = Timeout(rawValue: timer.tag) else { return }
        switch kind {
        case .idle, .linger:
            close()
        case .write:
            // The client stopped reading: nothing more can be said to it.
            serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.timedOutIndex)
            close()
        case .header:
            serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.timedOutIndex)
            if (chunk?.readableBytes ?? 0) == 0 {
                close()
            } else {
                answerAndClose(status: .requestTimeout, detail: "request head not received in time")
            }
        case .body:
            serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.timedOutIndex)
            answerAndClose(status: .requestTimeout, detail: "request body not received in time")
        case .deadline:
            serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.deadlineIndex)
            // The handler is cancelled; its late answer is ignored (the phase moves on).
            answerAndClose(status: .serviceUnavailable, detail: "request deadline exceeded")
        }
    }
}
