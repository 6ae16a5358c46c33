/// When the k-th arrival of an open-loop run is due: the inverse of the cumulative arrival
/// count N(t) = ∫ ramp(s)·rate(s) ds, where rate follows the stages (the first stage's rate
/// also covers the warm-up) and ramp(s) = min(1, s / ramp) rises from zero.
///
/// Arrivals are evenly spaced (constant rate: exactly 1/rate apart, like wrk2), not Poisson:
/// that makes rate tests exact and percentiles comparable across runs. Loop i of L takes
/// arrivals i, i+L, i+2L, …, so together the loops follow the schedule without talking.
struct ArrivalSchedule: Sendable {
    /// A piece of the schedule with one rate: [start, end) seconds, count before it.
    struct Segment: Sendable {
        let start: Double
        let end: Double
        let rate: Double
        /// Ramping (rate × s/ramp) or flat.
        let ramping: Bool
        let countBefore: Double
        let countAfter: Double
    }

    let segments: [Segment]
    let ramp: Double
    /// Arrivals are due only before this many seconds from the start.
    let end: Double

    /// `warmup` and `duration` in seconds; stages cover the measured part in order (the last
    /// one is held if they are shorter than the duration).
    init(stages: [RateSchedule.Stage], warmup: Double, duration: Double, ramp: Double) {
        var pieces: [(start: Double, end: Double, rate: Double)] = []
        let total = warmup + duration
        let first = stages.first?.rate ?? 0
        if warmup > 0 { pieces.append((0, warmup, first)) }
        var position = warmup
        for stage in stages where position < total {
            let length = Double(stage.duration.components.seconds) + Double(stage.duration.components.attoseconds) * 1e-18
            guard length > 0 else { continue }
            let end = min(total, position + length)
            pieces.append((position, end, stage.rate))
            position = end
        }
        if position < total { pieces.append((position, total, stages.last?.rate ?? 0)) }
        // Split at the end of the ramp, so each segment is either ramping or flat.
        var segments: [Segment] = []
        var count = 0.0
        for piece in pieces {
            var cuts = [(piece.start, piece.end)]
            if ramp > 0 && piece.start < ramp && piece.end > ramp { cuts = [(piece.start, ramp), (ramp, piece.end)] }
            for (start, end) in cuts {
                let ramping = ramp > 0 && start < ramp
                let added = ramping
                    ? piece.rate / (2 * ramp) * (end * end - start * start)
                    : piece.rate * (end - start)
                segments.append(Segment(start: start, end: end, rate: piece.rate, ramping: ramping, countBefore: count, countAfter: count + added))
                count += added
            }
        }
        self.segments = segments
        self.ramp = ramp
        self.end = total
    }

    /// Total arrivals over the whole schedule.
    var totalArrivals: Double { segments.last?.countAfter ?? 0 }

    /// Seconds from the start at which arrival `k` (0-based) is due; nil if it falls after the end.
    /// Arrival k is due when N(t) reaches k + 1/2, so the first one is half a gap in.
    func time(ofArrival k: Int) -> Double? {
        let target = Double(k) + 0.5
        for segment in segments where target <= segment.countAfter && segment.rate > 0 {
            let needed = target - segment.countBefore
            if segment.ramping {
                // rate/(2·ramp)·(t² − start²) = needed
                return (segment.start * segment.start + 2 * ramp * needed / segment.rate).squareRoot()
            }
            return segment.start + needed / segment.rate
        }
        return nil
    }
}
