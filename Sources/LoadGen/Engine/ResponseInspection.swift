import HTTPCodec

#if canImport(Glibc)
import Glibc
#endif

/// A complete answer as a transport hands it to the driver; every view is valid only during
/// the callback that carries it.
struct LoadResponse {
    let status: Int
    /// The bytes the ranges below point into.
    let bytes: UnsafeRawBufferPointer
    let headers: UnsafeBufferPointer<HeaderEntry>
    let body: ByteRange

    var bodyBytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[Int(body.start)..<body.end])
    }

    /// Whether Content-Type is `application/problem+json` (parameters allowed).
    var isProblemJSON: Bool {
        for entry in headers where ResponseInspection.equalsIgnoringCase(bytes, entry.name, "content-type") {
            return ResponseInspection.hasPrefixIgnoringCase(bytes, entry.value, "application/problem+json")
        }
        return false
    }
}

/// Reading what the driver needs out of an answer: the problem type and saved variables.
enum ResponseInspection {
    /// The last path segment of the top-level `"type"` of a problem+json body (a byte scan,
    /// not a JSON parse: the first `"type"` key is taken, which is the top-level one in
    /// every problem our service writes). Nil when there is none.
    static func problemType(in body: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let key: StaticString = "\"type\""
        let keyBytes = UnsafeRawBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
        guard body.count > keyBytes.count, let base = body.baseAddress else { return nil }
        var position = 0
        while position + keyBytes.count <= body.count {
            guard let found = memchr(base + position, Int32(UInt8(ascii: "\"")), body.count - position) else { return nil }
            let start = base.distance(to: UnsafeRawPointer(found))
            guard start + keyBytes.count <= body.count else { return nil }
            if memcmp(base + start, keyBytes.baseAddress!, keyBytes.count) != 0 {
                position = start + 1
                continue
            }
            var index = start + keyBytes.count
            while index < body.count, isSpace(body[index]) { index += 1 }
            guard index < body.count, body[index] == UInt8(ascii: ":") else {
                position = start + 1
                continue
            }
            index += 1
            while index < body.count, isSpace(body[index]) { index += 1 }
            guard index < body.count, body[index] == UInt8(ascii: "\"") else { return nil }
            let valueStart = index + 1
            var valueEnd = valueStart
            while valueEnd < body.count, body[valueEnd] != UInt8(ascii: "\"") { valueEnd += 1 }
            guard valueEnd < body.count else { return nil }
            var end = valueEnd
            while end > valueStart, body[end - 1] == UInt8(ascii: "/") { end -= 1 }  // "…/sold-out/"
            var segmentStart = end
            while segmentStart > valueStart, body[segmentStart - 1] != UInt8(ascii: "/") { segmentStart -= 1 }
            return UnsafeRawBufferPointer(rebasing: body[segmentStart..<end])
        }
        return nil
    }

    /// The value at a dotted path of a JSON body as text: numbers as their digits, strings
    /// unquoted (simple escapes undone), booleans as true/false. Nil when the body is not
    /// JSON, the path is absent or leads to an object, array or null. A byte scanner: values
    /// off the path are skipped without being parsed.
    static func value(at path: [String], in body: UnsafeRawBufferPointer) -> [UInt8]? {
        var scanner = JSONScanner(bytes: body)
        for key in path {
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: "{"), scanner.enterObject(findingKey: Array(key.utf8)) else { return nil }
        }
        return scanner.scalarText()
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange, _ literal: StaticString) -> Bool {
        guard Int(range.count) == literal.utf8CodeUnitCount else { return false }
        return hasPrefixIgnoringCase(bytes, range, literal)
    }

    static func hasPrefixIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: ByteRange, _ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard Int(range.count) >= count else { return false }
        let start = Int(range.start)
        for offset in 0..<count where bytes[start + offset] | 0x20 != literal.utf8Start[offset] | 0x20 {
            return false
        }
        return true
    }
}

/// Just enough JSON reading to follow a path of object keys and take a scalar.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var position = 0

    var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

    mutating func skipSpace() {
        while position < bytes.count, ResponseInspection.isSpace(bytes[position]) { position += 1 }
    }

    /// At `{`: moves to the value of `key`; false when the object has no such key.
    mutating func enterObject(findingKey key: [UInt8]) -> Bool {
        position += 1
        while true {
            skipSpace()
            guard peek == UInt8(ascii: "\"") else { return false }
            guard let name = string() else { return false }
            skipSpace()
            guard peek == UInt8(ascii: ":") else { return false }
            position += 1
            skipSpace()
            if name == key { return true }
            guard skipValue() else { return false }
            skipSpace()
            guard peek == UInt8(ascii: ",") else { return false }
            position += 1
        }
    }

    /// The scalar at the current position as text.
    mutating func scalarText() -> [UInt8]? {
        skipSpace()
        guard let first = peek else { return nil }
        if first == UInt8(ascii: "\"") { return string() }
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") || ResponseInspection.isSpace(byte) { break }
            position += 1
        }
        let text = Array(bytes[start..<position])
        guard !text.isEmpty, text != Array("null".utf8), first != UInt8(ascii: "{"), first != UInt8(ascii: "[") else { return nil }
        return text
    }

    /// Reads a string at `"`, undoing the simple escapes (\uXXXX is kept as written).
    mutating func string() -> [UInt8]? {
        position += 1
        var text: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\"") { return text }
            if byte == UInt8(ascii: "\\"), position < bytes.count {
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "u"): text += [UInt8(ascii: "\\"), escaped]
                default: text.append(escaped)
                }
                continue
            }
            text.append(byte)
        }
        return nil
    }

    /// Skips one value of any kind; false on malformed input.
    mutating func skipValue() -> Bool {
        var depth = 0
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                guard string() != nil else { return false }
                if depth == 0 { return true }
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if depth == 0 { return true }
                depth -= 1
                if depth == 0 {
                    position += 1
                    return true
                }
            case UInt8(ascii: ","):
                if depth == 0 { return true }
            default:
                break
            }
            position += 1
        }
        return depth == 0
    }
}
