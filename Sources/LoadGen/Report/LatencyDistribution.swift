public import Histogram

/// A histogram's percentile distribution as HdrHistogram prints it: percentile steps that halve
/// their distance to 100% (0, 50, 75, 87.5, ...), ending at 100% (the max).
public struct LatencyDistribution: Sendable, Equatable {
    public struct Point: Sendable, Equatable {
        /// The percentile level, 0...100.
        public var percentile: Double
        /// The latency at that level, microseconds.
        public var value: UInt64
        /// Requests at or below `value`.
        public var count: UInt64
    }

    public var points: [Point]

    /// Empty for an empty histogram.
    public init(_ histogram: Histogram<UInt64>, ticksPerHalfDistance: Int = 5) {
        points = histogram.totalCount == 0 ? [] : histogram.percentiles(ticksPerHalfDistance: ticksPerHalfDistance).map {
            Point(percentile: $0.percentileLevelIteratedTo, value: $0.value, count: $0.totalCountToThisValue)
        }
    }
}
