internal import CLinux

/// A point on the monotonic clock, in nanoseconds. Loops cache one per iteration.
public struct LoopInstant: Comparable, Hashable, Sendable {
    /// Nanoseconds since an arbitrary, fixed origin (CLOCK_MONOTONIC).
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// Reads the monotonic clock (a vDSO call, about 20 ns).
    @inline(__always)
    public static func now() -> LoopInstant {
        LoopInstant(nanoseconds: gb_monotonic_ns())
    }

    public static func < (lhs: LoopInstant, rhs: LoopInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// The instant `duration` later.
    public func advanced(by duration: Duration) -> LoopInstant {
        LoopInstant(nanoseconds: nanoseconds &+ duration.nanosecondsClamped)
    }

    /// Time from `self` to `later`, zero if `later` is not later.
    public func duration(to later: LoopInstant) -> Duration {
        later.nanoseconds > nanoseconds ? .nanoseconds(Int64(later.nanoseconds - nanoseconds)) : .zero
    }
}

extension Duration {
    /// Whole nanoseconds, clamped to zero below and to `UInt64.max / 2` above.
    public var nanosecondsClamped: UInt64 {
        let (seconds, attoseconds) = components
        if seconds < 0 { return 0 }
        if seconds > 9_000_000_000 { return UInt64.max / 2 }
        return UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }
}
