/// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", without Foundation.
public enum HTTPDate {
    /// Length of every IMF-fixdate.
    public static let length = 29

    /// Writes the date for `secondsSinceEpoch` (UTC) into `writer`.
    public static func write(secondsSinceEpoch: Int64, into writer: inout ByteWriter) {
        let days = Int(secondsSinceEpoch.dividedRoundingDown(by: 86_400))
        let secondOfDay = Int(secondsSinceEpoch - Int64(days) * 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        // 1970-01-01 was a Thursday.
        let weekday = ((days % 7) + 7 + 4) % 7
        let weekdays: StaticString = "SunMonTueWedThuFriSat"
        let months: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        writer.write(UnsafeRawBufferPointer(start: weekdays.utf8Start + weekday * 3, count: 3))
        writer.write(", ")
        writeTwoDigits(day, into: &writer)
        writer.write(byte: 32)
        writer.write(UnsafeRawBufferPointer(start: months.utf8Start + (month - 1) * 3, count: 3))
        writer.write(byte: 32)
        writeTwoDigits(year / 100, into: &writer)
        writeTwoDigits(year % 100, into: &writer)
        writer.write(byte: 32)
        writeTwoDigits(secondOfDay / 3600, into: &writer)
        writer.write(byte: 58)
        writeTwoDigits(secondOfDay / 60 % 60, into: &writer)
        writer.write(byte: 58)
        writeTwoDigits(secondOfDay % 60, into: &writer)
        writer.write(" GMT")
    }

    /// The date as a String (for logs and tests; the server writes bytes).
    public static func string(secondsSinceEpoch: Int64) -> String {
        var bytes = [UInt8](repeating: 0, count: length)
        bytes.withUnsafeMutableBytes { buffer in
            var writer = ByteWriter(buffer)
            write(secondsSinceEpoch: secondsSinceEpoch, into: &writer)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func writeTwoDigits(_ value: Int, into writer: inout ByteWriter) {
        writer.write(byte: UInt8(48 + value / 10))
        writer.write(byte: UInt8(48 + value % 10))
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    static func civilDate(daysSinceEpoch: Int) -> (year: Int, month: Int, day: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Int64 {
    fileprivate func dividedRoundingDown(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
