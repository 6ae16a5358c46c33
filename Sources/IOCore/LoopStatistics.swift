/// What a loop measures about itself, readable from any thread.
///
/// Loop lag: an event that becomes ready while the loop is busy waits for the current
/// iteration to end, so each iteration's busy time (epoll_wait return to the end of its
/// handlers, timers and jobs) bounds the readiness-to-handling delay of what it delays.
public final class LoopStatistics: Sendable {
    /// Busy time per iteration, in seconds buckets.
    public let lag = SingleWriterHistogram(upperBounds: latencyBucketBounds)
    private let counters = SingleWriterCounters(count: 2)

    /// Iterations run.
    public var iterations: Int { counters.value(at: 0) }
    /// Readiness events handled.
    public var events: Int { counters.value(at: 1) }

    @inline(__always)
    func recordIteration(events: Int, busyNanoseconds: UInt64) {
        counters.add(1, at: 0)
        counters.add(events, at: 1)
        lag.record(nanoseconds: busyNanoseconds)
    }
}
