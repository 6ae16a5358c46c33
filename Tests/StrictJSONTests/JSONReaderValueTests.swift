import StrictJSON
import Testing

/// What the strict reader makes of valid documents: numbers exact, escapes decoded.
@Suite struct JSONReaderValueTests {
    static let numbers: [(String, JSONValue)] = [
        ("0", .integer(0)), ("-0", .integer(0)), ("-0.0", .integer(0)), ("0e5", .integer(0)),
        ("1", .integer(1)), ("1.0", .integer(1)), ("1.000", .integer(1)), ("1e2", .integer(100)), ("1E+2", .integer(100)),
        ("0.1e1", .integer(1)), ("12.5e1", .integer(125)), ("1200e-2", .integer(12)), ("100e-2", .integer(1)),
        ("9223372036854775807", .integer(.max)), ("-9223372036854775808", .integer(.min)),
        ("9223372036854775807.0", .integer(.max)), ("922337203685477580.7e1", .integer(.max)),
        ("9223372036854775808", .number(0x1p63)), ("-9223372036854775809", .number(-0x1p63)),
        ("1.152921504606847e+18", .integer(1_152_921_504_606_847_000)),
        ("1.5", .number(1.5)), ("-2.5e-3", .number(-0.0025)), ("1e-400", .number(0)), ("1e19", .number(1e19)),
        ("123456789012345678901234567890", .number(1.2345678901234568e29)), ("1e0000000000000000000000001", .integer(10)),
        ("4.9e-324", .number(.leastNonzeroMagnitude)), ("1.7976931348623157e308", .number(.greatestFiniteMagnitude)),
        // Not a whole number: the nearest Double (Foundation truncates it to 9223303685477577).
        ("9223303685477577.50", .number(9_223_303_685_477_578)),
    ]

    @Test(arguments: numbers)
    func readsNumbersExactly(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONReader.read(Array("[\(text)]".utf8)) == .array([expected]))
    }

    static let strings: [(String, String)] = [
        (#""""#, ""), (#""abc""#, "abc"), (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{8}\u{C}\n\r\t"),
        (#""\u00e9\u00E9é""#, "ééé"), (#""\ud83d\ude00😀""#, "😀😀"), (#""\uD83D\uDE00""#, "😀"), (#""\u0001\u001f""#, "\u{1}\u{1F}"),
        (#""\uFFFF\uFEFF""#, "\u{FFFF}\u{FEFF}"), ("\"\u{7F}\"", "\u{7F}"), (#""a\u0022b""#, "a\"b"),
    ]

    @Test(arguments: strings)
    func decodesStrings(_ json: String, _ expected: String) throws {
        #expect(try JSONReader.read(Array(json.utf8)) == .string(expected))
    }

    @Test func readsStructuresWithWhitespaceWhereAllowed() throws {
        let json = " \t\r\n{ \"a\" : [ 1 , true , false , null , { } , [ ] ] , \"b\" : { \"c\" : \"d\" } }\n"
        #expect(
            try JSONReader.read(Array(json.utf8))
                == .object(["a": .array([.integer(1), .bool(true), .bool(false), .null, .object([:]), .array([])]), "b": .object(["c": .string("d")])])
        )
    }

    @Test func takesNestingUpToTheLimit() throws {
        let depth = JSONReader.Limits().maxDepth
        let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var value = JSONValue.array([])
        for _ in 1..<depth { value = .array([value]) }
        #expect(try JSONReader.read(Array(json.utf8)) == value)
    }

    @Test func takesADocumentOfExactlyTheLimit() throws {
        let limits = JSONReader.Limits(maxBytes: 4_096)
        let json = "\"" + String(repeating: "x", count: 4_094) + "\""
        #expect(try JSONReader.read(Array(json.utf8), limits: limits) == .string(String(repeating: "x", count: 4_094)))
    }
}
