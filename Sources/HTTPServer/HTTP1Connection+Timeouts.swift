import HTTPCodec
import IOCore

extension HTTP1Connection: TimerTarget {
    /// Arms the one timer a connection has for whichever timeout its state calls for.
    func updateTimer() {
        switch machine.timerAction(now: loop.now, bufferedBytes: bufferedBytes, pendingOutput: outbound.hasPending) {
        case .cancel:
            loop.timers.cancel(timer)
        case .keep:
            // Re-arming costs two list operations; skip it when nothing changed.
            return
        case .arm(let kind, let deadline):
            timer.tag = kind.rawValue
            loop.timers.schedule(timer, at: deadline)
        }
    }

    func timerFired(_ timer: LoopTimer) {
        guard let kind = HTTP1ConnectionStateMachine.Timeout(rawValue: timer.tag),
            let action = machine.timerFired(kind, bufferedBytes: bufferedBytes)
        else { return }
        switch action {
        case .close(let figure):
            count(figure)
            close()
        case .answerAndClose(let status, let detail, let figure):
            count(figure)
            answerAndClose(status: status, detail: detail)
        }
    }

    private func count(_ figure: HTTP1ConnectionStateMachine.TimeoutFigure?) {
        switch figure {
        case .timedOut: serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.timedOutIndex)
        case .deadlineExceeded: serverLoop.metrics.connections.add(1, at: LoopHTTPMetrics.deadlineIndex)
        case nil: break
        }
    }
}
