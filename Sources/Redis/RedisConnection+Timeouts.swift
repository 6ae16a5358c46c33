public import IOCore

extension RedisConnection: TimerTarget {
    /// Called by the loop's timer wheel at the connect deadline, then at the oldest command's.
    public func timerFired(_ timer: LoopTimer) {
        let now = loop.now
        switch phase {
        case .connecting:
            guard now >= connectDeadline else {
                loop.timers.schedule(timer, at: connectDeadline)
                return
            }
            abort(.connectFailed("no connection within \(configuration.connectTimeout)"))
        case .connected:
            // Commands are answered in order and share one timeout, so the oldest one is the
            // first to expire; the timer follows it instead of being re-armed per answer.
            guard let oldest = pending.first else { return }
            guard oldest.deadline <= now else {
                loop.timers.schedule(timer, at: oldest.deadline)
                return
            }
            abort(.timeout)
        case .closed:
            return
        }
    }
}
