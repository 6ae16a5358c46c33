import Foundation
import IOCore
import Observability
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Builds one line in a fresh buffer of `capacity` bytes; returns its bytes and whether
/// `LogLine` reported truncation before `finish()`.
private func render(
    capacity: Int,
    level: StaticString = "info",
    time: WallClockTime = WallClockTime(seconds: 1_795_428_902, nanoseconds: 123_456_789),
    _ build: (inout LogLine) -> Void
) -> (bytes: [UInt8], truncated: Bool) {
    withUnsafeTemporaryAllocation(byteCount: capacity, alignment: 8) { buffer in
        // Poison the buffer so stale bytes would show up.
        buffer.initializeMemory(as: UInt8.self, repeating: 0xFF)
        var line = LogLine(buffer: buffer, level: level, time: time)
        build(&line)
        let truncated = line.truncated
        let bytes = line.finish()
        #expect(bytes.baseAddress == UnsafeRawPointer(buffer.baseAddress))
        return (Array(bytes), truncated)
    }
}

/// The expected `ts` text, computed with the C library (an independent oracle).
private func expectedTimestamp(_ time: WallClockTime) -> String {
    var seconds = time_t(time.seconds)
    var fields = tm()
    gmtime_r(&seconds, &fields)
    func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(Int(fields.tm_year) + 1900, 4))-\(pad(Int(fields.tm_mon) + 1, 2))-\(pad(Int(fields.tm_mday), 2))"
        + "T\(pad(Int(fields.tm_hour), 2)):\(pad(Int(fields.tm_min), 2)):\(pad(Int(fields.tm_sec), 2))"
        + ".\(pad(Int(time.nanoseconds) / 1_000_000, 3))Z"
}

private let truncationSuffix = Array(",\"truncated\":true}\n".utf8)

/// Field names and values that must be `StaticString`s.
private let staticNames: [StaticString] = ["k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k10", "k11", "k12", "k13"]
private let staticValues: [StaticString] = ["", "ok", "with \"quote\"", "tab\there\n", "é😀€", "ctl\u{01}\u{1F}", "back\\slash"]
private let staticValueStrings = ["", "ok", "with \"quote\"", "tab\there\n", "é😀€", "ctl\u{01}\u{1F}", "back\\slash"]

/// One field of a random line, with what it must decode to.
private enum FieldSpec {
    case staticValue(index: Int, value: Int)
    case string(index: Int, String)
    case bytes(index: Int, String)
    case dynamicName(name: String, String)
    case integer(index: Int, Int)

    var key: String {
        switch self {
        case .staticValue(let index, _), .string(let index, _), .bytes(let index, _), .integer(let index, _): "k\(index)"
        case .dynamicName(let name, _): name
        }
    }

    func add(to line: inout LogLine) {
        switch self {
        case .staticValue(let index, let value): line.field(staticNames[index], staticValues[value])
        case .string(let index, let value): line.field(staticNames[index], value)
        case .bytes(let index, let value):
            var copy = value
            copy.withUTF8 { line.field(staticNames[index], bytes: UnsafeRawBufferPointer($0)) }
        case .dynamicName(let name, let value): line.field(name, value)
        case .integer(let index, let value): line.field(staticNames[index], value)
        }
    }

    /// Whether `decoded` is this field's value.
    func matches(_ decoded: Any?) -> Bool {
        switch self {
        case .staticValue(_, let value): (decoded as? String).map { Array($0.utf8) == Array(staticValueStrings[value].utf8) } ?? false
        case .string(_, let value), .bytes(_, let value), .dynamicName(_, let value):
            (decoded as? String).map { Array($0.utf8) == Array(value.utf8) } ?? false
        case .integer(_, let value): (decoded as? NSNumber).map { $0.int64Value == Int64(value) && "\($0)" == "\(value)" } ?? false
        }
    }

    static func random(index: Int, using generator: inout SeededGenerator) -> FieldSpec {
        let length = Int.random(in: 0...Int.random(in: 1...120, using: &generator), using: &generator)
        switch Int.random(in: 0..<5, using: &generator) {
        case 0: return .staticValue(index: index, value: Int.random(in: 0..<staticValues.count, using: &generator))
        case 1: return .string(index: index, randomTrickyString(length: length, using: &generator))
        case 2: return .bytes(index: index, randomTrickyString(length: length, using: &generator))
        case 3:
            let name = "d\(index):" + randomTrickyString(length: Int.random(in: 0...8, using: &generator), using: &generator)
            return .dynamicName(name: name, randomTrickyString(length: length, using: &generator))
        default:
            let special = [0, -1, 1, Int.min, Int.max, Int.min + 1]
            let value = Bool.random(using: &generator)
                ? special.randomElement(using: &generator)!
                : Int.random(in: Int.min...Int.max, using: &generator) >> Int.random(in: 0..<63, using: &generator)
            return .integer(index: index, value)
        }
    }
}

@Suite struct LogLineTests {
    @Test func aLineHasTimestampLevelAndFieldsAsValidJSON() throws {
        let (bytes, truncated) = render(capacity: 1024, level: "warning") { line in
            line.field("static", "plain")
            line.field("count", 42)
            line.field("negative", -7)
            line.field("max", Int.max)
            line.field("min", Int.min)
            line.field("text", "quote\" back\\ nl\n cr\r tab\t ctl\u{01} é😀")
            line.field("name with \"quote\"", "dynamic\u{1F}")
            var raw = "raw bytes \u{00} end"
            raw.withUTF8 { line.field("bytes", bytes: UnsafeRawBufferPointer($0)) }
        }
        #expect(!truncated)
        #expect(bytes.last == 0x0A)
        #expect(bytes.filter { $0 == 0x0A }.count == 1)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"ts":"2026-11-23T10:15:02.123Z","level":"warning","static":"plain","count":42,"#))
        let object = try #require(parseJSONObject(bytes), "\(text)")
        #expect(object["ts"] as? String == "2026-11-23T10:15:02.123Z")
        #expect(object["level"] as? String == "warning")
        #expect(object["static"] as? String == "plain")
        #expect((object["count"] as? NSNumber)?.intValue == 42)
        #expect((object["negative"] as? NSNumber)?.intValue == -7)
        #expect((object["max"] as? NSNumber)?.int64Value == Int64.max)
        #expect(text.contains(#""min":-9223372036854775808"#))
        #expect(Array((object["text"] as? String ?? "").utf8) == Array("quote\" back\\ nl\n cr\r tab\t ctl\u{01} é😀".utf8))
        #expect(object["name with \"quote\""] as? String == "dynamic\u{1F}")
        #expect(object["bytes"] as? String == "raw bytes \u{00} end")
        #expect(object["truncated"] == nil)
        #expect(object.count == 10)
    }

    @Test func aLineWithoutFieldsIsJustTimestampAndLevel() {
        let (bytes, truncated) = render(capacity: 128, time: WallClockTime(seconds: 0, nanoseconds: 0)) { _ in }
        #expect(!truncated)
        #expect(String(decoding: bytes, as: UTF8.self) == "{\"ts\":\"1970-01-01T00:00:00.000Z\",\"level\":\"info\"}\n")
    }

    @Test func timestampsMatchTheCLibraryAndParseAsISO8601() throws {
        var generator = SeededGenerator(seed: 0x7135_0003)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var times = [
            WallClockTime(seconds: 0, nanoseconds: 999_999_999),
            WallClockTime(seconds: 951_782_400, nanoseconds: 1_000_000),  // 2000-02-29
            WallClockTime(seconds: 1_709_164_799, nanoseconds: 999_000_000),  // 2024-02-28T23:59:59.999
            WallClockTime(seconds: 4_107_542_400, nanoseconds: 0),  // 2100-03-01
            WallClockTime(seconds: 253_402_300_799, nanoseconds: 500_000_000),  // 9999-12-31T23:59:59.5
        ]
        for _ in 0..<2000 {
            times.append(WallClockTime(
                seconds: Int64.random(in: 0...253_402_300_799, using: &generator),
                nanoseconds: Int32.random(in: 0..<1_000_000_000, using: &generator)))
        }
        for time in times {
            let (bytes, _) = render(capacity: 128, time: time) { _ in }
            let object = try #require(parseJSONObject(bytes))
            let ts = try #require(object["ts"] as? String)
            #expect(ts == expectedTimestamp(time), "seconds \(time.seconds) nanoseconds \(time.nanoseconds)")
            #expect(ts.utf8.count == 24)
            let date = try #require(formatter.date(from: ts), "\(ts)")
            let expected = Double(time.seconds) + Double(time.nanoseconds / 1_000_000) / 1000
            #expect(abs(date.timeIntervalSince1970 - expected) < 0.0006, "\(ts)")
        }
    }

    @Test func fieldsPastTheBufferAreCutAndTheLineStaysValidJSON() throws {
        let big = String(repeating: "x", count: 500)
        let (bytes, truncated) = render(capacity: 128) { line in
            line.field("a", 1)
            line.field("big", big)
            line.field("after", "would fit but comes after the cut")
        }
        #expect(truncated)
        #expect(bytes.count <= 128)
        #expect(bytes.last == 0x0A)
        let text = String(decoding: bytes, as: UTF8.self)
        let object = try #require(parseJSONObject(bytes), "\(text)")
        #expect(object["truncated"] as? Bool == true)
        #expect((object["a"] as? NSNumber)?.intValue == 1)
        #expect(object["big"] == nil)
        #expect(object["after"] == nil)
        #expect(object["level"] as? String == "info")
        #expect(text == "{\"ts\":\"2026-11-23T10:15:02.123Z\",\"level\":\"info\",\"a\":1,\"truncated\":true}\n")
    }

    @Test func theFirstFieldTooBigLeavesOnlyTheHeader() throws {
        let (bytes, truncated) = render(capacity: 128) { line in
            line.field("big", String(repeating: "\u{01}", count: 100))  // 600 bytes escaped
        }
        #expect(truncated)
        #expect(String(decoding: bytes, as: UTF8.self)
            == "{\"ts\":\"2026-11-23T10:15:02.123Z\",\"level\":\"info\",\"truncated\":true}\n")
    }

    /// When the header itself does not fit (a level of 66+ bytes in a 128-byte buffer), the
    /// line is `{"truncated":true}` (once a bug: it was `,"truncated":true}`, not JSON).
    @Test func aHeaderThatDoesNotFitStillYieldsValidJSON() {
        let (bytes, truncated) = render(capacity: 128, level: "a-level-name-that-is-seventy-bytes-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx") { line in
            line.field("k", 1)
        }
        #expect(truncated)
        #expect(bytes.count <= 128)
        #expect(bytes.last == 0x0A)
        #expect(parseJSONObject(bytes) != nil, "\(String(decoding: bytes, as: UTF8.self))")
    }

    /// For every buffer size from 128 to 600 and random field sets: the line is valid JSON,
    /// no longer than the buffer, ends with its only newline, keeps a prefix of the fields
    /// exactly, and is marked truncated exactly when fields were cut.
    @Test func truncationAlwaysYieldsValidJSONForAnyBufferSize() throws {
        var generator = SeededGenerator(seed: 0x1095_0004)
        var truncatedLines = 0
        var wholeLines = 0
        for capacity in 128...600 {
            for _ in 0..<6 {
                let specs = (0..<Int.random(in: 0...14, using: &generator)).map { FieldSpec.random(index: $0, using: &generator) }
                let time = WallClockTime(
                    seconds: Int64.random(in: 0...4_102_444_800, using: &generator),
                    nanoseconds: Int32.random(in: 0..<1_000_000_000, using: &generator))
                let (full, fullTruncated) = render(capacity: 16 * 1024, time: time) { line in
                    for spec in specs { spec.add(to: &line) }
                }
                #expect(!fullTruncated)
                let (bytes, truncated) = render(capacity: capacity, time: time) { line in
                    for spec in specs { spec.add(to: &line) }
                }
                let context = "capacity \(capacity): \(String(decoding: bytes, as: UTF8.self))"
                #expect(bytes.count <= capacity, "\(context)")
                #expect(bytes.last == 0x0A, "\(context)")
                #expect(bytes.filter { $0 == 0x0A }.count == 1, "\(context)")
                let object = try #require(parseJSONObject(bytes), "\(context)")
                #expect(object["ts"] as? String == expectedTimestamp(time), "\(context)")
                #expect(object["level"] as? String == "info", "\(context)")

                // The kept fields are a prefix of the fields added, each with its exact value.
                let kept = specs.prefix { object[$0.key] != nil }
                for spec in kept { #expect(spec.matches(object[spec.key]), "\(spec.key) in \(context)") }
                for spec in specs.dropFirst(kept.count) { #expect(object[spec.key] == nil, "\(spec.key) in \(context)") }
                let extraKeys = object.count - 2 - kept.count - (truncated ? 1 : 0)
                #expect(extraKeys == 0, "\(context)")

                if truncated {
                    truncatedLines += 1
                    #expect(object["truncated"] as? Bool == true, "\(context)")
                    #expect(kept.count < specs.count, "\(context)")
                    #expect(bytes.count > truncationSuffix.count)
                    #expect(Array(bytes.suffix(truncationSuffix.count)) == truncationSuffix, "\(context)")
                    // What precedes the marker is the untruncated line, cut at a field boundary.
                    #expect(full.starts(with: bytes.dropLast(truncationSuffix.count)), "\(context)")
                    #expect(full.count > capacity - 20, "a line that fits was truncated: \(context)")
                } else {
                    wholeLines += 1
                    #expect(object["truncated"] == nil, "\(context)")
                    #expect(kept.count == specs.count, "\(context)")
                    #expect(bytes == full, "\(context)")
                    #expect(full.count <= capacity, "\(context)")
                }
            }
        }
        // Both outcomes must have been exercised many times.
        #expect(truncatedLines > 300)
        #expect(wholeLines > 300)
    }
}
