import IOCore
import Testing

@Suite struct MetricsPrimitivesTests {
    @Test func histogramBucketsAreCumulativeWithCountAndSum() {
        let histogram = SingleWriterHistogram(upperBounds: [0.001, 0.01, 0.1])
        histogram.record(nanoseconds: 500_000)  // 0.5 ms
        histogram.record(nanoseconds: 1_000_000)  // exactly on the first bound: le is inclusive
        histogram.record(nanoseconds: 5_000_000)
        histogram.record(nanoseconds: 2_000_000_000)  // beyond every bound: +Inf only
        let snapshot = histogram.snapshot()
        #expect(snapshot.cumulativeCounts == [2, 3, 3, 4])
        #expect(snapshot.count == 4)
        #expect(abs(snapshot.sum - 2.0065) < 1e-9)
    }

    @Test func snapshotsMerge() {
        let a = SingleWriterHistogram(upperBounds: [1])
        let b = SingleWriterHistogram(upperBounds: [1])
        a.record(nanoseconds: 1)
        b.record(nanoseconds: 3_000_000_000)
        var merged = a.snapshot()
        merged.merge(b.snapshot())
        #expect(merged.cumulativeCounts == [1, 2])
        #expect(merged.count == 2)
    }

    @Test func countersAddAndSet() {
        let counters = SingleWriterCounters(count: 3)
        counters.add(5, at: 1)
        counters.add(-2, at: 1)
        counters.set(9, at: 2)
        #expect([counters.value(at: 0), counters.value(at: 1), counters.value(at: 2)] == [0, 3, 9])
    }
}
