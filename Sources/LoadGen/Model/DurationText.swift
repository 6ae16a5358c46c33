/// Durations as people write them in scenario files and flags: `250ms`, `10s`, `2m`, `1h`,
/// `1.5s`; a bare number is seconds.
public enum DurationText {
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, nanoseconds: Double)] = [("ms", 1e6), ("us", 1e3), ("s", 1e9), ("m", 60e9), ("h", 3_600e9)]
        let trimmed = String(text.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
        for unit in units where trimmed.hasSuffix(unit.suffix) {
            return duration(String(trimmed.dropLast(unit.suffix.count)), scale: unit.nanoseconds)
        }
        return duration(trimmed, scale: 1e9)
    }

    private static func duration(_ number: String, scale: Double) -> Duration? {
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number), value.isFinite, value >= 0 else { return nil }
        let nanoseconds = value * scale
        guard nanoseconds < 1e18 else { return nil }
        return .nanoseconds(Int64(nanoseconds))
    }
}
