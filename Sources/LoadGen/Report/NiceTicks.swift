internal import Glibc

/// Axis tick values people read easily: steps of 1, 2 or 5 times a power of ten (Heckbert, "Nice numbers for graph labels").
enum NiceTicks {
    /// Ticks covering `low...high` with about `count` steps; the first tick is ≤ low and the last ≥ high.
    static func linear(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        var low = low.isFinite ? low : 0
        var high = high.isFinite ? high : 1
        if high < low { swap(&low, &high) }
        if high - low < 1e-9 { high = low + 1 }
        let step = nice((high - low) / Double(max(1, count)), round: true)
        let first = (low / step).rounded(.down)
        let last = (high / step).rounded(.up)
        // Multiply each index rather than add steps, so 0.1 + 0.2 noise never reaches a label.
        return stride(from: first, through: last, by: 1).map { $0 * step }
    }

    /// Ticks at powers of ten covering `low...high` (both > 0), with 2 and 5 between when they span few decades.
    static func log10(_ low: Double, _ high: Double) -> [Double] {
        let low = low > 0 && low.isFinite ? low : 1
        let high = high > low && high.isFinite ? high : low * 10
        let firstExponent = Int(Glibc.log10(low).rounded(.down))
        let lastExponent = Int(Glibc.log10(high).rounded(.up))
        let multipliers: [Double] = lastExponent - firstExponent <= 2 ? [1, 2, 5] : [1]
        var ticks: [Double] = []
        for exponent in firstExponent...lastExponent {
            let decade = Glibc.pow(10, Double(exponent))
            for multiplier in multipliers {
                let value = multiplier * decade
                if exponent == lastExponent && multiplier > 1 { break }
                ticks.append(value)
            }
        }
        return ticks
    }

    /// The nice number near `value`: rounded to the nearest of 1, 2, 5, 10 (× 10^k), or the next one up.
    private static func nice(_ value: Double, round: Bool) -> Double {
        let exponent = Glibc.log10(value).rounded(.down)
        let decade = Glibc.pow(10, exponent)
        let fraction = value / decade
        let niceFraction: Double =
            if round {
                fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
            } else {
                fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
            }
        return niceFraction * decade
    }
}
