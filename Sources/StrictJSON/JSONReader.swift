/// A strict reader of JSON (RFC 8259) for what clients send: it accepts only documents that
/// mean one thing, and only what the rest of the system can hold.
///
/// Beyond the grammar (no trailing commas, no byte order mark, no leading zeros, whitespace
/// only where RFC 8259 §2 allows it), it refuses:
/// - a member name repeated in one object (RFC 8259 §4 leaves its meaning open, and parsers
///   disagree: Foundation's JSONDecoder takes the first, many others the last);
/// - U+0000, raw or escaped (PostgreSQL text and jsonb cannot store it);
/// - a `\u` escape of half a surrogate pair (no Unicode text holds one);
/// - invalid UTF-8, and raw control characters in strings;
/// - documents, nesting and number literals beyond `Limits`.
///
/// A number whose literal is exactly a whole number that fits in an Int64 is `.integer`
/// (`2`, `2.0`, `2e1`, `-0`), computed from its digits; any other number is the nearest Double.
package struct JSONReader {
    /// Bounds on the work one document can ask for.
    package struct Limits: Sendable, Equatable {
        /// The largest document, in bytes.
        package var maxBytes: Int
        /// How deep arrays and objects may nest; the outermost counts as 1.
        package var maxDepth: Int
        /// The longest number literal, in bytes (a Double needs at most 17 significant digits).
        package var maxNumberBytes: Int

        package init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxNumberBytes: Int = 100) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
            self.maxNumberBytes = maxNumberBytes
        }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    let limits: Limits
    var index = 0
    var depth = 0

    private init(bytes: UnsafeBufferPointer<UInt8>, limits: Limits) {
        self.bytes = bytes
        self.limits = limits
    }

    /// The one JSON value `bytes` hold (surrounding whitespace allowed), or why they are refused.
    package static func read(_ bytes: UnsafeRawBufferPointer, limits: Limits = Limits()) throws(JSONReadError) -> JSONValue {
        guard bytes.count <= limits.maxBytes else { throw JSONReadError(.tooLarge(limit: limits.maxBytes), offset: limits.maxBytes) }
        let result: Result<JSONValue, JSONReadError> = bytes.withMemoryRebound(to: UInt8.self) { bytes in
            var reader = JSONReader(bytes: bytes, limits: limits)
            return Result { () throws(JSONReadError) in try reader.document() }
        }
        return try result.get()
    }

    /// `read` for bytes in an array.
    package static func read(_ bytes: [UInt8], limits: Limits = Limits()) throws(JSONReadError) -> JSONValue {
        let result: Result<JSONValue, JSONReadError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONReadError) in try read(raw, limits: limits) }
        }
        return try result.get()
    }

    private mutating func document() throws(JSONReadError) -> JSONValue {
        let value = try self.value()
        skipWhitespace()
        guard index == bytes.count else { throw JSONReadError(.trailingContent, offset: index) }
        return value
    }

    mutating func value() throws(JSONReadError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw JSONReadError(.unexpectedEnd(expected: "a value"), offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"):
            try literal("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try literal("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        case let byte:
            throw JSONReadError(.unexpectedByte(byte, expected: "a value"), offset: index)
        }
    }

    private mutating func object() throws(JSONReadError) -> JSONValue {
        try enter()
        var members = JSONObject()
        skipWhitespace()
        if try peek(expected: "a member name or '}'") == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            let nameOffset = index
            guard try peek(expected: "a member name in double quotes") == UInt8(ascii: "\"") else {
                throw JSONReadError(.unexpectedByte(bytes[index], expected: "a member name in double quotes"), offset: index)
            }
            let name = try string()
            guard members[name] == nil else { throw JSONReadError(.duplicateMember(name), offset: nameOffset) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "':'")
            do {
                members[name] = try value()
            } catch {
                throw error.inside(name)
            }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "}"), expected: "',' or '}'") {
                depth -= 1
                return .object(members)
            }
        }
    }

    private mutating func array() throws(JSONReadError) -> JSONValue {
        try enter()
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek(expected: "a value or ']'") == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            do {
                elements.append(try value())
            } catch {
                throw error.inside(String(elements.count))
            }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "]"), expected: "',' or ']'") {
                depth -= 1
                return .array(elements)
            }
        }
    }

    /// Steps over the opening bracket, one level deeper.
    private mutating func enter() throws(JSONReadError) {
        depth += 1
        guard depth <= limits.maxDepth else { throw JSONReadError(.tooDeep(limit: limits.maxDepth), offset: index) }
        index += 1
    }

    /// Takes the byte after a member or element: true for `closing`, false for ','.
    private mutating func separator(closing: UInt8, expected: String) throws(JSONReadError) -> Bool {
        let byte = try peek(expected: expected)
        guard byte == UInt8(ascii: ",") || byte == closing else {
            throw JSONReadError(.unexpectedByte(byte, expected: expected), offset: index)
        }
        index += 1
        return byte == closing
    }

    private mutating func literal(_ word: StaticString) throws(JSONReadError) {
        let letters = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for letter in letters {
            guard index < bytes.count else { throw JSONReadError(.unexpectedEnd(expected: "'\(word)'"), offset: index) }
            guard bytes[index] == letter else {
                throw JSONReadError(.unexpectedByte(bytes[index], expected: "'\(word)'"), offset: index)
            }
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8, _ expected: String) throws(JSONReadError) {
        guard try peek(expected: expected) == byte else {
            throw JSONReadError(.unexpectedByte(bytes[index], expected: expected), offset: index)
        }
        index += 1
    }

    /// The byte at `index`; the end of the document is an error naming what should follow.
    func peek(expected: String) throws(JSONReadError) -> UInt8 {
        guard index < bytes.count else { throw JSONReadError(.unexpectedEnd(expected: expected), offset: index) }
        return bytes[index]
    }

    /// RFC 8259 §2: space, tab, line feed, carriage return; nothing else.
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}
