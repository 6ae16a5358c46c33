/// Why `JSONReader` refused a document, and where: the byte offset, and the JSON Pointer
/// (RFC 6901) of the value it was reading. The description is written for the client.
package struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// The document is larger than the limit (bytes).
        case tooLarge(limit: Int)
        /// Arrays and objects nest deeper than the limit.
        case tooDeep(limit: Int)
        /// The document ends inside a value.
        case unexpectedEnd(expected: String)
        /// A byte that cannot stand here; `expected` says what could.
        case unexpectedByte(UInt8, expected: String)
        /// Something after the one top-level value.
        case trailingContent
        /// A string's bytes are not UTF-8.
        case invalidUTF8
        /// A control character (below U+0020) written raw inside a string.
        case controlCharacter(UInt8)
        /// A backslash escape JSON does not have, or `\u` without four hex digits.
        case invalidEscape
        /// U+0000 in a string, raw or as `\u0000`: PostgreSQL text cannot hold it.
        case nulCharacter
        /// A `\u` escape of half a surrogate pair without its other half.
        case loneSurrogate
        /// An object names the same member twice (after escapes are decoded).
        case duplicateMember(String)
        /// A number literal without digits where JSON needs them, or with a leading zero.
        case invalidNumber
        /// A number literal longer than the limit (bytes).
        case numberTooLong(limit: Int)
        /// A number beyond the range of a Double.
        case numberOutOfRange
    }

    package let kind: Kind
    /// Offset of the offending byte (for a duplicate, of the repeated name).
    package let offset: Int
    /// Member names and array indices from the top down to the value being read.
    package private(set) var path: [String] = []

    package init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    /// The same error seen from the container that holds the value under `component`.
    func inside(_ component: String) -> JSONReadError {
        var error = self
        error.path.insert(component, at: 0)
        return error
    }

    /// The path as a JSON Pointer: "" for the top level, "/items/3/name" below it.
    package var pointer: String {
        path.map { "/" + $0.replacing("~", with: "~0").replacing("/", with: "~1") }.joined()
    }

    package var description: String {
        let place = path.isEmpty ? "" : " in \(Self.quoted(pointer))"
        switch kind {
        case .tooLarge(let limit):
            return "the JSON document is larger than \(limit) bytes"
        case .tooDeep(let limit):
            return "arrays and objects nest deeper than \(limit) levels at byte \(offset)"
        case .unexpectedEnd(let expected):
            return "the JSON document ends where \(expected) should follow\(place)"
        case .unexpectedByte(let byte, let expected):
            return "expected \(expected) at byte \(offset)\(place), found \(Self.describe(byte))"
        case .trailingContent:
            return "there is more after the JSON value, at byte \(offset)"
        case .invalidUTF8:
            return "a string is not valid UTF-8 at byte \(offset)\(place)"
        case .controlCharacter(let byte):
            return "a string contains the control character \(Self.describe(byte)) unescaped at byte \(offset)\(place)"
        case .invalidEscape:
            return "a string has an invalid escape at byte \(offset)\(place)"
        case .nulCharacter:
            return "a string contains the NUL character (U+0000) at byte \(offset)\(place), which is not accepted"
        case .loneSurrogate:
            return "a string contains half of a UTF-16 surrogate pair (\\uD800-\\uDFFF) at byte \(offset)\(place)"
        case .duplicateMember(let name):
            return "the member \(Self.quoted(name)) appears twice\(place); each name may appear once"
        case .invalidNumber:
            return "a number is malformed at byte \(offset)\(place)"
        case .numberTooLong(let limit):
            return "a number is longer than \(limit) characters at byte \(offset)\(place)"
        case .numberOutOfRange:
            return "a number is too large at byte \(offset)\(place)"
        }
    }

    /// A name or pointer for a message: quoted, and cut short so a long name cannot blow up
    /// the answer.
    private static func quoted(_ text: String) -> String {
        let limit = 64
        return "\"" + (text.count > limit ? text.prefix(limit) + "…" : text[...]) + "\""
    }

    private static func describe(_ byte: UInt8) -> String {
        (0x21...0x7E).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
    }
}
