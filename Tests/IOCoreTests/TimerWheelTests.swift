import IOCore
import Testing

/// Records the order timers fire in and can re-arm or cancel from inside a callback.
private final class Recorder: TimerTarget {
    var fired: [Int] = []
    var onFire: ((LoopTimer) -> Void)?
    func timerFired(_ timer: LoopTimer) {
        fired.append(timer.tag)
        onFire?(timer)
    }
}

private func ms(_ value: UInt64) -> LoopInstant { LoopInstant(nanoseconds: value * 1_000_000) }

@Suite struct TimerWheelTests {
    @Test func firesOnlyWhenDueAndNeverEarly() {
        let wheel = TimerWheel(now: ms(1_000))
        let recorder = Recorder()
        let timer = LoopTimer(target: recorder, tag: 1)
        // 10.5 ms after: rounded up to the 11 ms tick, never fired at 10 ms.
        wheel.schedule(timer, at: LoopInstant(nanoseconds: 1_010_500_000))
        wheel.advance(to: ms(1_010))
        #expect(recorder.fired.isEmpty)
        #expect(timer.isArmed)
        wheel.advance(to: ms(1_011))
        #expect(recorder.fired == [1])
        #expect(!timer.isArmed)
        #expect(wheel.count == 0)
    }

    @Test func firesInTickOrderAcrossSlots() {
        let wheel = TimerWheel(now: ms(0))
        let recorder = Recorder()
        let timers = (0..<5).map { LoopTimer(target: recorder, tag: $0) }
        for (position, delay) in [50, 10, 40, 20, 30].enumerated() {
            wheel.schedule(timers[position], at: ms(UInt64(delay)))
        }
        wheel.advance(to: ms(100))
        #expect(recorder.fired == [1, 3, 4, 2, 0])
    }

    @Test func cancelledTimerNeverFires() {
        let wheel = TimerWheel(now: ms(0))
        let recorder = Recorder()
        let kept = LoopTimer(target: recorder, tag: 1)
        let cancelled = LoopTimer(target: recorder, tag: 2)
        wheel.schedule(kept, at: ms(5))
        wheel.schedule(cancelled, at: ms(5))
        wheel.cancel(cancelled)
        wheel.advance(to: ms(10))
        #expect(recorder.fired == [1])
    }

    @Test func timersBeyondOneLapWaitForTheirDeadline() {
        let wheel = TimerWheel(now: ms(0), slotCount: 64)
        let recorder = Recorder()
        let far = LoopTimer(target: recorder, tag: 7)
        wheel.schedule(far, at: ms(200))  // more than three laps of 64 ms
        for step in stride(from: UInt64(1), through: 199, by: 1) {
            wheel.advance(to: ms(step))
        }
        #expect(recorder.fired.isEmpty)
        wheel.advance(to: ms(200))
        #expect(recorder.fired == [7])
    }

    @Test func aLongStallStillFiresEverythingDue() {
        let wheel = TimerWheel(now: ms(0), slotCount: 64)
        let recorder = Recorder()
        let timers = (0..<100).map { LoopTimer(target: recorder, tag: $0) }
        for timer in timers { wheel.schedule(timer, at: ms(UInt64(timer.tag * 3 + 1))) }
        let late = LoopTimer(target: recorder, tag: 1_000)
        wheel.schedule(late, at: ms(10_000))
        wheel.advance(to: ms(5_000))  // the loop was stuck for 5 s
        #expect(recorder.fired.count == 100)
        #expect(Set(recorder.fired) == Set(0..<100))
        #expect(late.isArmed)
    }

    @Test func callbackMayRearmItselfAndCancelAQueuedTimer() {
        let wheel = TimerWheel(now: ms(0))
        let recorder = Recorder()
        let first = LoopTimer(target: recorder, tag: 1)
        let second = LoopTimer(target: recorder, tag: 2)
        var rearmed = false
        recorder.onFire = { timer in
            guard timer.tag == 1, !rearmed else { return }
            rearmed = true
            wheel.cancel(second)  // queued in the same firing batch
            wheel.schedule(first, at: ms(20))
        }
        // Different ticks, one advance: both are queued for firing before either runs.
        wheel.schedule(first, at: ms(5))
        wheel.schedule(second, at: ms(8))
        wheel.advance(to: ms(10))
        #expect(recorder.fired == [1])
        #expect(first.isArmed && !second.isArmed)
        wheel.advance(to: ms(20))
        #expect(recorder.fired == [1, 1])
    }

    @Test func rescheduleMovesTheDeadline() {
        let wheel = TimerWheel(now: ms(0))
        let recorder = Recorder()
        let timer = LoopTimer(target: recorder)
        wheel.schedule(timer, at: ms(5))
        wheel.schedule(timer, at: ms(50))
        #expect(wheel.count == 1)
        wheel.advance(to: ms(10))
        #expect(recorder.fired.isEmpty)
        wheel.advance(to: ms(50))
        #expect(recorder.fired.count == 1)
    }

    @Test func nextWakeUpIsAnUpperBoundOnTheNearestDeadline() throws {
        let wheel = TimerWheel(now: ms(0))
        #expect(wheel.millisecondsUntilNextTimer() == nil)
        let recorder = Recorder()
        wheel.schedule(LoopTimer(target: recorder), at: ms(300))
        wheel.schedule(LoopTimer(target: recorder), at: ms(37))
        let wait = try #require(wheel.millisecondsUntilNextTimer())
        #expect(wait == 37)
        // A deadline in the past is due on the next tick.
        wheel.schedule(LoopTimer(target: recorder), at: ms(0))
        #expect(wheel.millisecondsUntilNextTimer() == 1)
    }
}
