import StrictJSON
import Testing

/// What the strict reader refuses, why, and where it says the problem is.
@Suite struct JSONReaderRefusalTests {
    struct Refusal: CustomTestStringConvertible, Sendable {
        let json: String
        let kind: JSONReadError.Kind
        var pointer = ""
        var testDescription: String { json }
    }

    static let ambiguousOrUnstorable: [Refusal] = [
        Refusal(json: #"{"quantity":3,"quantity":1}"#, kind: .duplicateMember("quantity")),
        Refusal(json: #"{"a":1,"\u0061":2}"#, kind: .duplicateMember("a")),
        Refusal(json: #"{"a":{"b":[{"c":1,"c":1}]}}"#, kind: .duplicateMember("c"), pointer: "/a/b/0"),
        Refusal(json: #"{"é":1,"\u00e9":2}"#, kind: .duplicateMember("é")),
        Refusal(json: #"{"name":"erin\u0000x"}"#, kind: .nulCharacter, pointer: "/name"),
        Refusal(json: "[\"a\u{0}b\"]", kind: .nulCharacter, pointer: "/0"),
        Refusal(json: #"{"a\u0000":1}"#, kind: .nulCharacter),
        Refusal(json: #"["\ud800"]"#, kind: .loneSurrogate, pointer: "/0"),
        Refusal(json: #"["\udc00\ud800"]"#, kind: .loneSurrogate, pointer: "/0"),
        Refusal(json: #"["\ud83dx"]"#, kind: .loneSurrogate, pointer: "/0"),
        Refusal(json: #"["\ud83d\u0041"]"#, kind: .loneSurrogate, pointer: "/0"),
        Refusal(json: #"["\ude00"]"#, kind: .loneSurrogate, pointer: "/0"),
    ]

    @Test(arguments: ambiguousOrUnstorable)
    func refusesAmbiguousAndUnstorableText(_ refusal: Refusal) {
        expect(refusal)
    }

    static let grammar: [Refusal] = [
        Refusal(json: "", kind: .unexpectedEnd(expected: "a value")),
        Refusal(json: "   ", kind: .unexpectedEnd(expected: "a value")),
        Refusal(json: "[1,]", kind: .unexpectedByte(UInt8(ascii: "]"), expected: "a value"), pointer: "/1"),
        Refusal(json: #"{"a":1,}"#, kind: .unexpectedByte(UInt8(ascii: "}"), expected: "a member name in double quotes")),
        Refusal(json: "\u{FEFF}{}", kind: .unexpectedByte(0xEF, expected: "a value")),
        Refusal(json: "{} {}", kind: .trailingContent),
        Refusal(json: "{'a':1}", kind: .unexpectedByte(UInt8(ascii: "'"), expected: "a member name in double quotes")),
        Refusal(json: #"{"a" 1}"#, kind: .unexpectedByte(UInt8(ascii: "1"), expected: "':'")),
        Refusal(json: #"{"a":1 "b":2}"#, kind: .unexpectedByte(UInt8(ascii: "\""), expected: "',' or '}'")),
        Refusal(json: "[1 2]", kind: .unexpectedByte(UInt8(ascii: "2"), expected: "',' or ']'")),
        Refusal(json: #"{"a":"#, kind: .unexpectedEnd(expected: "a value"), pointer: "/a"),
        Refusal(json: #"["abc"#, kind: .unexpectedEnd(expected: "the end of a string ('\"')"), pointer: "/0"),
        Refusal(json: "[tru]", kind: .unexpectedByte(UInt8(ascii: "]"), expected: "'true'"), pointer: "/0"),
        Refusal(json: "[nul", kind: .unexpectedEnd(expected: "'null'"), pointer: "/0"),
        Refusal(json: "[True]", kind: .unexpectedByte(UInt8(ascii: "T"), expected: "a value"), pointer: "/0"),
        Refusal(json: "\u{B}[]", kind: .unexpectedByte(0x0B, expected: "a value")),
        Refusal(json: "[\"a\tb\"]", kind: .controlCharacter(0x09), pointer: "/0"),
        Refusal(json: "[\"a\nb\"]", kind: .controlCharacter(0x0A), pointer: "/0"),
        Refusal(json: #"["\x41"]"#, kind: .invalidEscape, pointer: "/0"),
        Refusal(json: #"["\u12"]"#, kind: .invalidEscape, pointer: "/0"),
        Refusal(json: #"["\u12G4"]"#, kind: .invalidEscape, pointer: "/0"),
        Refusal(json: "[01]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[-01]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[1.]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[.5]", kind: .unexpectedByte(UInt8(ascii: "."), expected: "a value"), pointer: "/0"),
        Refusal(json: "[-]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[1e]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[1e+]", kind: .invalidNumber, pointer: "/0"),
        Refusal(json: "[+1]", kind: .unexpectedByte(UInt8(ascii: "+"), expected: "a value"), pointer: "/0"),
        Refusal(json: "[NaN]", kind: .unexpectedByte(UInt8(ascii: "N"), expected: "a value"), pointer: "/0"),
        Refusal(json: "[1e400]", kind: .numberOutOfRange, pointer: "/0"),
        Refusal(json: "[-1e309]", kind: .numberOutOfRange, pointer: "/0"),
    ]

    @Test(arguments: grammar)
    func refusesWhatTheGrammarDoesNotAllow(_ refusal: Refusal) {
        expect(refusal)
    }

    @Test(arguments: [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xC3, 0x5C, 0x6E, 0x22]])
    func refusesInvalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONReadError(.invalidUTF8, offset: 0)) { try JSONReader.read(bytes) }
    }

    @Test func refusesADocumentLargerThanTheLimit() throws {
        let limits = JSONReader.Limits(maxBytes: 10)
        _ = try JSONReader.read(Array("[1,2,3,45]".utf8), limits: limits)
        #expect(throws: JSONReadError(.tooLarge(limit: 10), offset: 10)) { try JSONReader.read(Array("[1,2,3,456]".utf8), limits: limits) }
    }

    @Test func refusesNestingDeeperThanTheLimit() throws {
        let limits = JSONReader.Limits(maxDepth: 4)
        _ = try JSONReader.read(Array(#"{"a":[[{}]]}"#.utf8), limits: limits)
        #expect(throws: JSONReadError.self) { try JSONReader.read(Array(#"{"a":[[{"b":[]}]]}"#.utf8), limits: limits) }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let error = try #require(throws: JSONReadError.self) { try JSONReader.read(Array(deep.utf8)) }
        #expect(error.kind == .tooDeep(limit: 32))
        #expect(error.offset == 32)
    }

    @Test func refusesANumberLongerThanTheLimit() throws {
        let limits = JSONReader.Limits(maxNumberBytes: 8)
        #expect(try JSONReader.read(Array("[-1234.56]".utf8), limits: limits) == .array([.number(-1234.56)]))
        let error = try #require(throws: JSONReadError.self) { try JSONReader.read(Array("[-1234.567]".utf8), limits: limits) }
        #expect(error.kind == .numberTooLong(limit: 8))
        #expect(error.offset == 1)
    }

    @Test func describesTheDuplicateByNameAndPlace() throws {
        let error = try #require(throws: JSONReadError.self) { try JSONReader.read(Array(#"{"a":{"b":[{"c~/":1,"c~/":2}]}}"#.utf8)) }
        #expect(error.pointer == "/a/b/0")
        #expect(error.description == #"the member "c~/" appears twice in "/a/b/0"; each name may appear once"#)
        #expect(error.offset == 20)
        let top = try #require(throws: JSONReadError.self) { try JSONReader.read(Array(#"{"quantity":3,"quantity":1}"#.utf8)) }
        #expect(top.description == #"the member "quantity" appears twice; each name may appear once"#)
    }

    @Test func cutsAVeryLongNameShortInTheDescription() throws {
        let name = String(repeating: "n", count: 10_000)
        let error = try #require(throws: JSONReadError.self) { try JSONReader.read(Array(#"{"\#(name)":1,"\#(name)":2}"#.utf8)) }
        #expect(error.description.count < 200)
        #expect(error.description.contains(String(repeating: "n", count: 64) + "…"))
    }

    @Test func escapesThePointer() throws {
        let error = try #require(throws: JSONReadError.self) { try JSONReader.read(Array(#"{"a/b":{"~":[0,"\u0000"]}}"#.utf8)) }
        #expect(error.kind == .nulCharacter)
        #expect(error.pointer == "/a~1b/~0/1")
    }

    private func expect(_ refusal: Refusal, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            let value = try JSONReader.read(Array(refusal.json.utf8))
            Issue.record("accepted as \(value)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.kind == refusal.kind, sourceLocation: sourceLocation)
            #expect(error.pointer == refusal.pointer, sourceLocation: sourceLocation)
        }
    }
}
