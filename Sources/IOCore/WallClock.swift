internal import CLinux

/// A moment on the wall clock (CLOCK_REALTIME), for Date headers and log timestamps.
public struct WallClockTime: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var seconds: Int64
    /// Nanoseconds within the second.
    public var nanoseconds: Int32

    public init(seconds: Int64, nanoseconds: Int32 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Reads the wall clock (a vDSO call).
    public static func now() -> WallClockTime {
        var seconds: Int64 = 0
        var nanoseconds: Int32 = 0
        gb_wall_clock(&seconds, &nanoseconds)
        return WallClockTime(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// The UTC calendar fields of this moment.
    public var utc: UTCFields { UTCFields(secondsSinceEpoch: seconds) }
}

/// Calendar fields in UTC (proleptic Gregorian calendar).
public struct UTCFields: Sendable, Hashable {
    public var year: Int
    /// 1...12
    public var month: Int
    /// 1...31
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int

    public init(secondsSinceEpoch: Int64) {
        var days = secondsSinceEpoch / 86_400
        var secondOfDay = secondsSinceEpoch % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        // Howard Hinnant's days-to-civil algorithm.
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = Int(secondOfDay / 3600)
        minute = Int(secondOfDay / 60 % 60)
        second = Int(secondOfDay % 60)
        // 1970-01-01 was a Thursday.
        weekday = ((Int(days) % 7) + 7 + 4) % 7
    }
}
