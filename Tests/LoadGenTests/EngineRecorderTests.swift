import Histogram
@testable import LoadGen
import Testing

@Suite struct EngineRecorderTests {
    static let second: UInt64 = 1_000_000_000
    static let start: UInt64 = 100 * second

    func recorder(seconds: UInt64 = 10) -> LoopRecorder {
        LoopRecorder(stepCount: 2, measureStart: Self.start, measureEnd: Self.start + seconds * Self.second)
    }

    /// Asserts `value` is `expected` within HDR's 3-significant-digit precision.
    func expectClose(_ histogram: Histogram<UInt64>, _ value: UInt64, _ expected: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(histogram.valuesAreEquivalent(value, expected) || (value > expected ? value - expected : expected - value) <= expected / 1000 + 1,
                "\(value) vs \(expected)", sourceLocation: sourceLocation)
    }

    @Test func uniformValuesGiveTheirPercentiles() {
        var recorder = recorder()
        for microseconds in UInt64(1)...10_000 {
            recorder.recordAnswer(step: 0, at: Self.start + 5, latency: microseconds * 1000, status: 200, problemType: nil, isError: false)
        }
        let summary = LatencySummary(recorder.steps[0].latency)
        #expect(summary.count == 10_000)
        let histogram = recorder.steps[0].latency
        expectClose(histogram, summary.p50, 5000)
        expectClose(histogram, summary.p90, 9000)
        expectClose(histogram, summary.p99, 9900)
        expectClose(histogram, summary.p999, 9990)
        expectClose(histogram, summary.max, 10_000)
        #expect(recorder.steps[0].statuses[200] == 10_000)
    }

    @Test func mergingTwoRecordersEqualsRecordingInOne() {
        var low = recorder()
        var high = recorder()
        // Bimodal: 900 fast answers (100 µs) in one loop, 100 slow ones (50 ms) in the other.
        for _ in 0..<900 { low.recordAnswer(step: 0, at: Self.start, latency: 100_000, status: 200, problemType: nil, isError: false) }
        for _ in 0..<100 { high.recordAnswer(step: 0, at: Self.start, latency: 50_000_000, status: 503, problemType: nil, isError: true) }
        var merged = low.steps[0]
        merged.add(high.steps[0])
        #expect(merged.requests == 1000 && merged.errors == 100)
        #expect(merged.statuses[200] == 900 && merged.statuses[503] == 100)
        #expect(merged.problemTypes == ["-": 100])
        let summary = LatencySummary(merged.latency)
        expectClose(merged.latency, summary.p50, 100)
        expectClose(merged.latency, summary.p90, 100)
        expectClose(merged.latency, summary.p99, 50_000)
        expectClose(merged.latency, summary.max, 50_000)
    }

    @Test func recordsOnlyTheMeasuredPartAndBucketsByCompletionSecond() {
        var recorder = recorder(seconds: 3)
        recorder.recordAnswer(step: 0, at: Self.start - 1, latency: 1000, status: 200, problemType: nil, isError: false)  // warm-up
        recorder.recordAnswer(step: 0, at: Self.start, latency: 1000, status: 200, problemType: nil, isError: false)
        recorder.recordAnswer(step: 1, at: Self.start + Self.second - 1, latency: 3000, status: 200, problemType: nil, isError: false)
        recorder.recordAnswer(step: 0, at: Self.start + Self.second, latency: 2000, status: 200, problemType: nil, isError: false)
        recorder.recordFailure(step: 1, at: Self.start + 2 * Self.second + 5, kind: .timeout)
        recorder.recordAnswer(step: 0, at: Self.start + 3 * Self.second, latency: 1000, status: 200, problemType: nil, isError: false)  // after
        #expect(recorder.seconds.count == 3)
        #expect(recorder.seconds.map(\.requests) == [2, 1, 1])
        #expect(recorder.seconds.map(\.errors) == [0, 0, 1])
        #expect(recorder.seconds[0].latency.max == 3)
        #expect(recorder.steps[0].requests == 2 && recorder.steps[1].requests == 2)
        #expect(recorder.steps[1].transportErrors[LoopRecorder.index(of: .timeout)] == 1)
    }

    @Test func problemTypesAreCountedByName() {
        var recorder = recorder()
        let type = Array("sold-out".utf8)
        for _ in 0..<3 {
            type.withUnsafeBytes { recorder.recordAnswer(step: 0, at: Self.start, latency: 1000, status: 409, problemType: $0, isError: false) }
        }
        #expect(recorder.steps[0].problemTypes == ["sold-out": 3])
    }

    @Test func constantRateArrivalsAreEvenlySpaced() throws {
        let schedule = ArrivalSchedule(stages: [.init(rate: 500, duration: .seconds(3))], warmup: 1, duration: 3, ramp: 0)
        #expect(schedule.totalArrivals == 2000)
        #expect(try #require(schedule.time(ofArrival: 0)) == 0.001)
        #expect(abs(try #require(schedule.time(ofArrival: 1)) - 0.003) < 1e-12)
        #expect(schedule.time(ofArrival: 1999) != nil)
        #expect(schedule.time(ofArrival: 2000) == nil)
    }

    @Test func rampAndStagesShapeTheCount() throws {
        // 1 s ramp to 100/s, then 100/s for 1 s, then 300/s for 1 s: 50 + 100 + 300 arrivals.
        let schedule = ArrivalSchedule(
            stages: [.init(rate: 100, duration: .seconds(2)), .init(rate: 300, duration: .seconds(1))], warmup: 0, duration: 3, ramp: 1
        )
        #expect(abs(schedule.totalArrivals - 450) < 1e-9)
        // Arrival 49 is the last in the ramp; arrival 149 the last at 100/s.
        #expect(try #require(schedule.time(ofArrival: 49)) < 1)
        #expect(try #require(schedule.time(ofArrival: 50)) > 1)
        #expect(try #require(schedule.time(ofArrival: 149)) < 2)
        #expect(try #require(schedule.time(ofArrival: 150)) > 2)
        // Ramp: N(t) = 50 t², so arrival k (due at N = k + 0.5) comes at sqrt((k + 0.5) / 50).
        #expect(abs(try #require(schedule.time(ofArrival: 10)) - (10.5 / 50).squareRoot()) < 1e-12)
    }
}
