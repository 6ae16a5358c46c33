import Domain
import Foundation
import Testing

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2026-11-23T18:30:05Z", Int64(1_795_458_605)),
        ("2000-02-29T23:59:59Z", Int64(951_868_799)),
        ("2026-11-23T20:30:05+02:00", Int64(1_795_458_605)),
        ("2026-11-23T17:00:05-01:30", Int64(1_795_458_605)),
        ("2026-11-23t18:30:05.123456z", Int64(1_795_458_605)),
    ])
    func parsesRFC3339(text: String, seconds: Int64) {
        #expect(Timestamp(rfc3339: text)?.secondsSinceEpoch == seconds)
    }

    @Test(arguments: [
        "", "2026-11-23", "2026-11-23T18:30:05", "2026-11-23 18:30:05Z", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-04-31T00:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T18:60:00Z", "2026-11-23T18:30:60Z", "1969-12-31T23:59:59Z",
        "2026-11-23T18:30:05.Z", "2026-11-23T18:30:05+0200", "2026-11-23T18:30:05+24:00", "2026-11-23T18:30:05Zjunk",
        "２０２６-11-23T18:30:05Z", "+2026-11-23T18:30:05Z",
    ])
    func refusesWhatIsNotRFC3339(text: String) {
        #expect(Timestamp(rfc3339: text) == nil)
    }

    /// Against Foundation's calendar arithmetic, over a spread of instants (leap years included).
    @Test func formatsAndParsesLikeFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: 0...253_402_300_799, using: &generator)  // up to 9999-12-31T23:59:59Z
            let timestamp = Timestamp(secondsSinceEpoch: seconds)
            #expect(timestamp.rfc3339 == formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))))
            #expect(Timestamp(rfc3339: timestamp.rfc3339) == timestamp)
        }
    }
}
