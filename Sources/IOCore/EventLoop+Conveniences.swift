import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension EventLoop {
    /// Blocks the caller until the loop thread has started. Not for loop threads.
    func waitUntilStarted() {
        while threadID.load(ordering: .relaxed) == 0 { sched_yield() }
    }

    /// Runs `body` on the loop thread and returns its result to the caller.
    public func submit<Result: Sendable>(
        _ body: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            execute {
                continuation.resume(with: Swift.Result { try body() })
            }
        }
    }

    /// Calls `action` on the loop thread every `interval`, starting after one interval.
    /// Loop thread only; returns a handle whose `cancel()` stops it.
    public func scheduleRepeating(every interval: Duration, _ action: @escaping () -> Void) -> RepeatingTimer {
        preconditionInEventLoop()
        let repeating = RepeatingTimer(loop: self, interval: interval, action: action)
        repeating.arm()
        return repeating
    }

    /// Calls `action` once on the loop thread after `delay`. Loop thread only.
    @discardableResult
    public func scheduleOnce(after delay: Duration, _ action: @escaping () -> Void) -> RepeatingTimer {
        preconditionInEventLoop()
        let once = RepeatingTimer(loop: self, interval: delay, action: action, repeats: false)
        once.arm()
        return once
    }
}

/// A timer that calls a closure; for housekeeping, not the per-request hot path.
public final class RepeatingTimer: TimerTarget {
    private unowned let loop: EventLoop
    private let interval: Duration
    private let action: () -> Void
    private let repeats: Bool
    private var timer: LoopTimer?
    // Held while armed: the wheel only keeps an unowned reference to its target.
    private var selfWhileArmed: RepeatingTimer?

    init(loop: EventLoop, interval: Duration, action: @escaping () -> Void, repeats: Bool = true) {
        self.loop = loop
        self.interval = interval
        self.action = action
        self.repeats = repeats
    }

    func arm() {
        let timer = self.timer ?? LoopTimer(target: self)
        self.timer = timer
        selfWhileArmed = self
        loop.timers.schedule(timer, at: loop.now.advanced(by: interval))
    }

    /// Stops the timer; loop thread only.
    public func cancel() {
        if let timer { loop.timers.cancel(timer) }
        selfWhileArmed = nil
    }

    public func timerFired(_ timer: LoopTimer) {
        if repeats {
            loop.timers.schedule(timer, at: loop.now.advanced(by: interval))
        } else {
            selfWhileArmed = nil
        }
        action()
    }
}
