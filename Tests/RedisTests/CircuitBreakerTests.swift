import IOCore
import Testing

@testable import Redis

@Suite struct CircuitBreakerTests {
    let start = LoopInstant(nanoseconds: 1_000_000_000)

    func at(_ milliseconds: Int) -> LoopInstant {
        start.advanced(by: .milliseconds(milliseconds))
    }

    @Test func opensAfterTheThresholdOfConsecutiveFailures() {
        var breaker = CircuitBreaker(failureThreshold: 3, coolDown: .seconds(1))
        for _ in 0..<2 { breaker.record(success: false, probe: false, at: at(0)) }
        breaker.record(success: true, probe: false, at: at(0))  // a success resets the count
        for _ in 0..<2 { breaker.record(success: false, probe: false, at: at(0)) }
        #expect(breaker.state == .closed)
        #expect(breaker.admit(at: at(0)) == .allowed)
        breaker.record(success: false, probe: false, at: at(0))
        #expect(breaker.state == .open)
        #expect(breaker.timesOpened == 1)
        #expect(breaker.admit(at: at(999)) == .rejected)
    }

    @Test func afterTheCoolDownOneProbeGoesThroughAndItsSuccessCloses() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(1))
        breaker.record(success: false, probe: false, at: at(0))
        #expect(breaker.admit(at: at(1000)) == .probe)
        #expect(breaker.state == .halfOpen)
        #expect(breaker.admit(at: at(1001)) == .rejected)  // only one probe at a time
        breaker.record(success: true, probe: true, at: at(1002))
        #expect(breaker.state == .closed)
        #expect(breaker.consecutiveFailures == 0)
        #expect(breaker.admit(at: at(1003)) == .allowed)
    }

    @Test func aFailedProbeReopensForAnotherCoolDown() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(1))
        breaker.record(success: false, probe: false, at: at(0))
        #expect(breaker.admit(at: at(1500)) == .probe)
        breaker.record(success: false, probe: true, at: at(1600))
        #expect(breaker.state == .open)
        #expect(breaker.timesOpened == 2)
        #expect(breaker.admit(at: at(2599)) == .rejected)  // the cool-down counts from the failure
        #expect(breaker.admit(at: at(2600)) == .probe)
    }

    @Test func lateOutcomesOfCallsFromBeforeTheOpeningAreIgnored() {
        var breaker = CircuitBreaker(failureThreshold: 1, coolDown: .seconds(1))
        breaker.record(success: false, probe: false, at: at(0))
        breaker.record(success: true, probe: false, at: at(10))  // an old call answering late
        #expect(breaker.state == .open)
        #expect(breaker.admit(at: at(1000)) == .probe)
        breaker.record(success: false, probe: false, at: at(1001))  // not the probe
        #expect(breaker.state == .halfOpen)
        breaker.record(success: true, probe: true, at: at(1002))
        #expect(breaker.state == .closed)
    }
}
