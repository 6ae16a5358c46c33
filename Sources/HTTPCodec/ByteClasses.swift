/// Character classes of RFC 9110 §5.6 as bit masks: a lookup is a shift and an AND,
/// with no table in memory and no lazy global initialisation on the hot path.
enum ByteClass {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10
    static let space: UInt8 = 32
    static let tab: UInt8 = 9
    static let colon: UInt8 = 58

    // tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    // Literal masks, not computed ones: a computed static is a lazy global whose swift_once
    // check ran on every header byte (~1.5% of a load-generator request, measured with perf).
    // ByteClassesTests checks them against the list above.
    static let tokenLow: UInt64 = 0x03FF_6CFA_0000_0000
    static let tokenHigh: UInt64 = 0x57FF_FFFF_C7FF_FFFE

    static func mask(_ bytes: [UInt8], offset: UInt8 = 0) -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes { value |= 1 << UInt64(byte - offset) }
        return value
    }

    /// A token character (method names, header names, transfer codings).
    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        byte < 64 ? (tokenLow >> UInt64(byte)) & 1 == 1 : byte < 128 && (tokenHigh >> UInt64(byte - 64)) & 1 == 1
    }

    /// A byte allowed inside a field value: VCHAR, obs-text, SP, HTAB. No CTL, no DEL.
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        (byte >= 0x20 && byte != 0x7F) || byte == tab
    }

    /// A byte allowed in a request target: VCHAR only (no space, CTL, DEL or non-ASCII).
    @inline(__always)
    static func isTarget(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F
    }

    /// Optional whitespace (SP / HTAB).
    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case 48...57: UInt64(byte - 48)
        case 65...70: UInt64(byte - 55)
        case 97...102: UInt64(byte - 87)
        default: nil
        }
    }

    /// ASCII lower-casing of one byte.
    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 65 && byte <= 90 ? byte | 0x20 : byte
    }
}

extension UnsafeRawBufferPointer {
    /// Whether the bytes `range` equal `lowercaseASCII`, ignoring ASCII case.
    @inline(__always)
    func equalsCaseInsensitive(_ range: ByteRange, _ lowercaseASCII: StaticString) -> Bool {
        guard Int(range.count) == lowercaseASCII.utf8CodeUnitCount else { return false }
        let literal = lowercaseASCII.utf8Start
        var index = 0
        let start = Int(range.start)
        while index < Int(range.count) {
            if ByteClass.lowercased(self[start + index]) != literal[index] { return false }
            index += 1
        }
        return true
    }
}
