import Synchronization

/// Counters written by one thread (a loop) and read by any (a metrics scrape).
///
/// A single writer needs no read-modify-write: a relaxed load and store compile to plain
/// moves, so counting on the hot path costs what a plain `+= 1` costs, without a data race.
public final class SingleWriterCounters: @unchecked Sendable {
    private let base: UnsafeMutablePointer<Atomic<Int>>
    /// How many counters there are.
    public let count: Int

    public init(count: Int) {
        precondition(count > 0)
        self.count = count
        self.base = .allocate(capacity: count)
        for index in 0..<count { (base + index).initialize(to: Atomic(0)) }
    }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }

    /// Adds `amount` to counter `index`. Only the owning thread may call this.
    @inline(__always)
    public func add(_ amount: Int, at index: Int) {
        let cell = base + index
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Sets counter `index` (for gauges). Only the owning thread may call this.
    @inline(__always)
    public func set(_ value: Int, at index: Int) {
        base[index].store(value, ordering: .relaxed)
    }

    /// Reads counter `index` from any thread.
    @inline(__always)
    public func value(at index: Int) -> Int {
        base[index].load(ordering: .relaxed)
    }
}

/// A histogram with fixed upper bounds, written by one thread, read by any.
///
/// Buckets are stored non-cumulatively (one write per observation); readers accumulate.
public final class SingleWriterHistogram: @unchecked Sendable {
    /// Upper bounds of the buckets, ascending; a final +Inf bucket is implied.
    public let upperBounds: [Double]
    private let boundsInNanoseconds: [UInt64]
    // Layout: one cell per bucket, then +Inf, then the sum in nanoseconds.
    private let cells: SingleWriterCounters

    /// Bounds are in seconds when recording durations with `record(nanoseconds:)`.
    public init(upperBounds: [Double]) {
        precondition(!upperBounds.isEmpty && upperBounds == upperBounds.sorted())
        self.upperBounds = upperBounds
        self.boundsInNanoseconds = upperBounds.map { UInt64(($0 * 1e9).rounded()) }
        self.cells = SingleWriterCounters(count: upperBounds.count + 2)
    }

    /// Records a duration. Only the owning thread may call this.
    @inline(__always)
    public func record(nanoseconds: UInt64) {
        var bucket = 0
        let bounds = boundsInNanoseconds
        while bucket < bounds.count && nanoseconds > bounds[bucket] { bucket &+= 1 }
        cells.add(1, at: bucket)
        cells.add(Int(truncatingIfNeeded: nanoseconds), at: bounds.count + 1)
    }

    /// A consistent-enough copy for export: cumulative bucket counts, sum in seconds, count.
    public func snapshot() -> HistogramSnapshot {
        var cumulative: [Int] = []
        cumulative.reserveCapacity(upperBounds.count + 1)
        var running = 0
        for index in 0...upperBounds.count {
            running += cells.value(at: index)
            cumulative.append(running)
        }
        let sum = Double(cells.value(at: upperBounds.count + 1)) / 1e9
        // The count is the +Inf bucket, so the export is coherent even mid-write.
        return HistogramSnapshot(upperBounds: upperBounds, cumulativeCounts: cumulative, sum: sum, count: running)
    }
}

/// A histogram's figures at one moment; snapshots of several writers add up.
public struct HistogramSnapshot: Sendable, Equatable {
    public var upperBounds: [Double]
    /// Cumulative counts per bound, the last one being +Inf.
    public var cumulativeCounts: [Int]
    public var sum: Double
    public var count: Int

    public init(upperBounds: [Double], cumulativeCounts: [Int], sum: Double, count: Int) {
        self.upperBounds = upperBounds
        self.cumulativeCounts = cumulativeCounts
        self.sum = sum
        self.count = count
    }

    /// Adds another snapshot with the same bounds.
    public mutating func merge(_ other: HistogramSnapshot) {
        precondition(upperBounds == other.upperBounds)
        for index in cumulativeCounts.indices { cumulativeCounts[index] += other.cumulativeCounts[index] }
        sum += other.sum
        count += other.count
    }
}

/// Bucket bounds (seconds) for latencies from 10 µs to 10 s.
public let latencyBucketBounds: [Double] = [
    0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]
