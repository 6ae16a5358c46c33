/// JSON string escaping (RFC 8259 §7) shared by log lines and response bodies: quote,
/// backslash and control characters are escaped; all other bytes pass through unchanged.
public enum JSONEscaping {
    private static let hexDigits: StaticString = "0123456789abcdef"

    /// Calls `emit` with the escaped form of `utf8` in pieces (runs of plain bytes and
    /// escape sequences), without allocating.
    @inline(__always)
    public static func escape(_ utf8: UnsafeRawBufferPointer, _ emit: (UnsafeRawBufferPointer) -> Void) {
        var runStart = 0
        var index = 0
        for byte in utf8 {
            if byte < 0x20 || byte == 0x22 || byte == 0x5C {
                if runStart < index { emit(UnsafeRawBufferPointer(rebasing: utf8[runStart..<index])) }
                emitEscape(for: byte, emit)
                runStart = index + 1
            }
            index += 1
        }
        if runStart < utf8.count { emit(UnsafeRawBufferPointer(rebasing: utf8[runStart...])) }
    }

    private static func emitEscape(for byte: UInt8, _ emit: (UnsafeRawBufferPointer) -> Void) {
        let short: StaticString
        switch byte {
        case 0x22: short = "\\\""
        case 0x5C: short = "\\\\"
        case 0x0A: short = "\\n"
        case 0x0D: short = "\\r"
        case 0x09: short = "\\t"
        default:
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6) { sequence in
                let hex = hexDigits.utf8Start
                sequence[0] = 0x5C
                sequence[1] = 0x75
                sequence[2] = 0x30
                sequence[3] = 0x30
                sequence[4] = hex[Int(byte >> 4)]
                sequence[5] = hex[Int(byte & 15)]
                emit(UnsafeRawBufferPointer(sequence))
            }
            return
        }
        emit(UnsafeRawBufferPointer(start: short.utf8Start, count: short.utf8CodeUnitCount))
    }
}
