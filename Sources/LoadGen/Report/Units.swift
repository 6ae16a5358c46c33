/// Number formatting shared by the reports: fixed decimals without locale, latencies in human units.
public enum Units {
    /// A latency in microseconds for people: "999µs" under 1 ms, "1.21ms" (2 decimals) under 1 s, "1.50s" above.
    public static func latency(_ microseconds: UInt64) -> String {
        if microseconds < 1_000 { return "\(microseconds)µs" }
        // Decide on the rounded figure, so 999.996 ms reads "1.00s" rather than "1000.00ms".
        let hundredthsOfMillisecond = (Double(microseconds) / 10).rounded()
        if hundredthsOfMillisecond < 100_000 { return fixed(Double(microseconds) / 1_000, decimals: 2) + "ms" }
        return fixed(Double(microseconds) / 1_000_000, decimals: 2) + "s"
    }

    /// `value` rounded to `decimals` places, always with a point and no exponent ("0" for NaN and infinities).
    public static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        // Beyond what Int64 holds the decimals are noise anyway.
        guard scaled < 9.0e18 else { return (value < 0 ? "-" : "") + String(UInt64(abs(value).rounded())) }
        var digits = String(Int64(scaled))
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals + 1 - digits.count) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (value < 0 && scaled != 0 ? "-" : "") + digits
    }

    /// A ratio as a percentage with 2 decimals: 0.0123 → "1.23%".
    public static func percent(_ ratio: Double) -> String {
        fixed(ratio * 100, decimals: 2) + "%"
    }

    /// A count with thousands separators for people: 8000 → "8,000".
    public static func count(_ value: Int) -> String {
        var digits = String(value.magnitude)
        var index = digits.endIndex
        while digits.distance(from: digits.startIndex, to: index) > 3 {
            index = digits.index(index, offsetBy: -3)
            digits.insert(",", at: index)
        }
        return (value < 0 ? "-" : "") + digits
    }

    /// `part / whole`, 0 when `whole` is 0.
    static func ratio(_ part: Int, _ whole: Int) -> Double {
        whole == 0 ? 0 : Double(part) / Double(whole)
    }

    /// A start time as RFC 3339 UTC with milliseconds ("2025-01-31T12:00:00.000Z").
    static func rfc3339(secondsSince1970 seconds: Double) -> String {
        guard seconds.isFinite else { return "1970-01-01T00:00:00.000Z" }
        let totalMilliseconds = Int64((seconds * 1_000).rounded(.down))
        let (days, dayMilliseconds) = floorDivide(totalMilliseconds, 86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let hour = dayMilliseconds / 3_600_000
        let minute = dayMilliseconds / 60_000 % 60
        let second = dayMilliseconds / 1_000 % 60
        let milli = dayMilliseconds % 1_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(milli, 3))Z"
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let quotient = a / b - (a % b < 0 ? 1 : 0)
        return (quotient, a - quotient * b)
    }

    /// Howard Hinnant's days-to-civil: the proleptic Gregorian date of a day count since 1970-01-01.
    private static func civilDate(daysSince1970: Int64) -> (Int64, Int64, Int64) {
        let z = daysSince1970 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Units {
    /// Labels for latency axis ticks (microseconds) in one unit chosen by the largest tick, without
    /// trailing zeros: [0, 500, 1000, 1500] → ["0", "0.5ms", "1ms", "1.5ms"].
    static func latencyTickLabels(_ ticks: [Double]) -> [String] {
        let largest = ticks.map(abs).max() ?? 0
        let (divisor, unit): (Double, String) = largest >= 1_000_000 ? (1_000_000, "s") : largest >= 1_000 ? (1_000, "ms") : (1, "µs")
        return ticks.map { $0 == 0 ? "0" : compact($0 / divisor) + unit }
    }

    /// A latency in its own unit without trailing zeros, for log axis ticks: 100 → "100µs", 10_000 → "10ms", 1_500_000 → "1.5s".
    static func compactLatency(_ microseconds: UInt64) -> String {
        if microseconds < 1_000 { return "\(microseconds)µs" }
        if microseconds < 1_000_000 { return compact(Double(microseconds) / 1_000) + "ms" }
        return compact(Double(microseconds) / 1_000_000) + "s"
    }

    /// Up to 3 decimals, trailing zeros dropped: 1.5 → "1.5", 2.0 → "2", 0.125 → "0.125".
    static func compact(_ value: Double) -> String {
        var text = fixed(value, decimals: 3)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text == "-0" ? "0" : text
    }
}
