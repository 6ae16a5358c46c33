extension JSONReader {
    /// The string that opens at `index` (on its quote), escapes decoded; `index` ends past the
    /// closing quote.
    mutating func string() throws(JSONReadError) -> String {
        let start = index
        index += 1
        var decoded: [UInt8] = []
        var escaped = false
        var runStart = index
        while true {
            guard index < bytes.count else { throw JSONReadError(.unexpectedEnd(expected: "the end of a string ('\"')"), offset: index) }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let text: String?
                if !escaped {
                    // No escapes: the bytes as they are, the common case.
                    text = String(validating: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                } else {
                    decoded.append(contentsOf: bytes[runStart..<index])
                    // Escapes only add whole UTF-8 sequences, never a continuation byte, so
                    // the joined bytes are valid exactly when the raw runs are.
                    text = String(validating: decoded, as: UTF8.self)
                }
                guard let text else { throw JSONReadError(.invalidUTF8, offset: start) }
                index += 1
                return text
            case UInt8(ascii: "\\"):
                decoded.append(contentsOf: bytes[runStart..<index])
                try escape(into: &decoded)
                escaped = true
                runStart = index
            case 0:
                throw JSONReadError(.nulCharacter, offset: index)
            case ..<0x20:
                throw JSONReadError(.controlCharacter(byte), offset: index)
            default:
                index += 1
            }
        }
    }

    /// Decodes the escape at `index` (on its backslash) as UTF-8 into `decoded`.
    private mutating func escape(into decoded: inout [UInt8]) throws(JSONReadError) {
        let start = index
        index += 1
        guard index < bytes.count else { throw JSONReadError(.unexpectedEnd(expected: "an escape"), offset: index) }
        let simple: UInt8
        switch bytes[index] {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            index += 1
            let scalar = try escapedScalar(start: start)
            guard scalar.value != 0 else { throw JSONReadError(.nulCharacter, offset: start) }
            decoded.append(contentsOf: UTF8.encode(scalar)!)
            return
        default:
            throw JSONReadError(.invalidEscape, offset: start)
        }
        decoded.append(simple)
        index += 1
    }

    /// The scalar of a `\uXXXX` escape whose hex digits start at `index`, joining a surrogate
    /// pair written as two escapes (RFC 8259 §7).
    private mutating func escapedScalar(start: Int) throws(JSONReadError) -> Unicode.Scalar {
        let unit = try hexUnit(escapeStart: start)
        switch unit {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONReadError(.loneSurrogate, offset: start)
            }
            let lowStart = index
            index += 2
            let low = try hexUnit(escapeStart: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONReadError(.loneSurrogate, offset: start) }
            return Unicode.Scalar(0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw JSONReadError(.loneSurrogate, offset: start)
        default:
            return Unicode.Scalar(unit)!
        }
    }

    /// Four hex digits at `index`, as a UTF-16 code unit.
    private mutating func hexUnit(escapeStart: Int) throws(JSONReadError) -> UInt16 {
        guard index + 4 <= bytes.count else { throw JSONReadError(.invalidEscape, offset: escapeStart) }
        var unit: UInt16 = 0
        for _ in 0..<4 {
            let digit: UInt8
            switch bytes[index] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = bytes[index] - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = bytes[index] - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = bytes[index] - UInt8(ascii: "A") + 10
            default: throw JSONReadError(.invalidEscape, offset: escapeStart)
            }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }
}
