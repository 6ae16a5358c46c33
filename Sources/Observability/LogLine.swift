public import IOCore

/// Builds one JSON log line in caller-provided memory (usually the stack): no allocation.
/// Output past the capacity is cut and the line is marked truncated (`"truncated":true`
/// replaces the fields that did not fit, so the line stays valid JSON).
public struct LogLine: ~Copyable {
    private let buffer: UnsafeMutableRawBufferPointer
    private var count = 0
    private var needsComma = false
    /// Bytes kept back for the closing `,"truncated":true}\n`.
    private static let reserve = 20
    public private(set) var truncated = false

    /// Starts `{"ts":"…","level":"…"` in `buffer`.
    public init(buffer: UnsafeMutableRawBufferPointer, level: StaticString, time: WallClockTime = .now()) {
        precondition(buffer.count >= 128, "a log line needs at least 128 bytes")
        self.buffer = buffer
        raw("{")
        lastFieldEnd = count
        raw("\"ts\":\"")
        timestamp(time)
        raw("\",\"level\":\"")
        raw(level)
        raw("\"")
        needsComma = true
        lastFieldEnd = count
    }

    public mutating func field(_ name: StaticString, _ value: StaticString) {
        key(name)
        raw("\"")
        escaped(UnsafeRawBufferPointer(start: value.utf8Start, count: value.utf8CodeUnitCount))
        raw("\"")
    }

    public mutating func field(_ name: StaticString, bytes value: UnsafeRawBufferPointer) {
        key(name)
        raw("\"")
        escaped(value)
        raw("\"")
    }

    public mutating func field(_ name: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { field(name, bytes: UnsafeRawBufferPointer($0)) }
    }

    public mutating func field(_ name: String, _ value: String) {
        var name = name
        var value = value
        name.withUTF8 { nameBytes in
            value.withUTF8 { valueBytes in
                separate()
                raw("\"")
                escaped(UnsafeRawBufferPointer(nameBytes))
                raw("\":\"")
                escaped(UnsafeRawBufferPointer(valueBytes))
                raw("\"")
            }
        }
    }

    public mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        decimal(value)
    }

    /// Finishes the line (`}` and a newline) and returns its bytes, valid while `buffer` is.
    public consuming func finish() -> UnsafeRawBufferPointer {
        if truncated {
            append("\"truncated\":true}\n", force: true)
        } else {
            append("}\n", force: true)
        }
        return UnsafeRawBufferPointer(rebasing: buffer[0..<count])
    }

    private mutating func key(_ name: StaticString) {
        separate()
        raw("\"")
        raw(name)
        raw("\":")
    }

    private mutating func separate() {
        if !truncated { lastFieldEnd = count }
        if needsComma { raw(",") }
        needsComma = true
    }

    private mutating func raw(_ literal: StaticString) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func escaped(_ bytes: UnsafeRawBufferPointer) {
        JSONEscaping.escape(bytes) { piece in append(piece) }
    }

    private mutating func append(_ literal: StaticString, force: Bool) {
        append(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount), force: force)
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer, force: Bool = false) {
        guard !truncated || force else { return }
        let limit = force ? buffer.count : buffer.count - Self.reserve
        guard count + bytes.count <= limit else {
            if !truncated {
                truncated = true
                // Drop back to the end of the last complete field so the line stays valid JSON.
                count = lastFieldEnd
                if count > 1 {
                    buffer[count] = UInt8(ascii: ",")
                    count += 1
                }
            }
            return
        }
        if let source = bytes.baseAddress, bytes.count > 0 {
            buffer.baseAddress!.advanced(by: count).copyMemory(from: source, byteCount: bytes.count)
            count += bytes.count
        }
    }

    /// Where the last complete field ends (before its trailing comma).
    private var lastFieldEnd = 0

    private mutating func decimal(_ value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var index = 20
            repeat {
                index -= 1
                digits[index] = UInt8(truncatingIfNeeded: magnitude % 10) + 48
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { raw("-") }
            append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(digits)[index...]))
        }
    }

    /// `2026-11-23T10:15:02.123Z`
    private mutating func timestamp(_ time: WallClockTime) {
        let fields = time.utc
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { out in
            func put(_ value: Int, at offset: Int, digits: Int) {
                var value = value
                for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                    out[position] = UInt8(truncatingIfNeeded: value % 10) + 48
                    value /= 10
                }
            }
            put(fields.year, at: 0, digits: 4)
            out[4] = 45
            put(fields.month, at: 5, digits: 2)
            out[7] = 45
            put(fields.day, at: 8, digits: 2)
            out[10] = 84
            put(fields.hour, at: 11, digits: 2)
            out[13] = 58
            put(fields.minute, at: 14, digits: 2)
            out[16] = 58
            put(fields.second, at: 17, digits: 2)
            out[19] = 46
            put(Int(time.nanoseconds) / 1_000_000, at: 20, digits: 3)
            out[23] = 90
            append(UnsafeRawBufferPointer(out))
        }
    }
}
