/// IMF-fixdate (RFC 9110 §5.6.7), e.g. "Sun, 06 Nov 1994 08:49:37 GMT", without Foundation.
public enum HTTPDate {
    /// Length of every IMF-fixdate.
    public static let length = 29

    /// Writes the date from its UTC fields (`weekday` 0 = Sunday, `month` 1...12).
    public static func write(
        weekday: Int, day: Int, month: Int, year: Int, hour: Int, minute: Int, second: Int,
        into writer: inout ByteWriter
    ) {
        precondition((0...6).contains(weekday) && (1...12).contains(month) && (0...9999).contains(year))
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
        writeTwoDigits(hour, into: &writer)
        writer.write(byte: 58)
        writeTwoDigits(minute, into: &writer)
        writer.write(byte: 58)
        writeTwoDigits(second, into: &writer)
        writer.write(" GMT")
    }

    /// Two decimal digits, zero-padded.
    public static func writeTwoDigits(_ value: Int, into writer: inout ByteWriter) {
        writer.write(byte: UInt8(48 + value / 10 % 10))
        writer.write(byte: UInt8(48 + value % 10))
    }
}
