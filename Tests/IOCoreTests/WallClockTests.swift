import Foundation
import IOCore
import Testing

@Suite struct WallClockTests {
    static let knownMomentsTable: [(Int64, UTCFields)] = [
        (0, UTCFields.expected(1970, 1, 1, 0, 0, 0, weekday: 4)),
        (784_111_777, UTCFields.expected(1994, 11, 6, 8, 49, 37, weekday: 0)),
        (951_782_400, UTCFields.expected(2000, 2, 29, 0, 0, 0, weekday: 2)),
        (-1, UTCFields.expected(1969, 12, 31, 23, 59, 59, weekday: 3)),
    ]

    @Test(arguments: knownMomentsTable)
    func knownMoments(_ seconds: Int64, _ expected: UTCFields) {
        #expect(UTCFields(secondsSinceEpoch: seconds) == expected)
    }

    @Test func agreesWithFoundationsCalendar() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -2_000_000_000...4_102_444_799, using: &generator)
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second, .weekday],
                from: Date(timeIntervalSince1970: TimeInterval(seconds))
            )
            let fields = UTCFields(secondsSinceEpoch: seconds)
            let expected = UTCFields.expected(
                parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!, parts.second!, weekday: parts.weekday! - 1
            )
            #expect(fields == expected, "at \(seconds)")
        }
    }

    @Test func nowIsAfterThisCodeWasWritten() {
        #expect(WallClockTime.now().seconds > 1_790_000_000)
    }
}

extension UTCFields {
    static func expected(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int, _ second: Int, weekday: Int) -> UTCFields {
        var fields = UTCFields(secondsSinceEpoch: 0)
        fields.year = year
        fields.month = month
        fields.day = day
        fields.hour = hour
        fields.minute = minute
        fields.second = second
        fields.weekday = weekday
        return fields
    }
}
