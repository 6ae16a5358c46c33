import StrictJSON
import Testing

@Suite struct JSONWritingTests {
    @Test func scalarsOnlyStayOnOneLineAndNestingIndentsByTwo() {
        let value = JSONValue.object([
            "name": .string("flash"), "figures": .object(["p50": .integer(310), "rate": .number(0.5)]),
            "steps": .array([.object(["n": .integer(1)]), .object([:])]), "tags": .array([.string("a"), .null]), "none": .array([]),
        ])
        #expect(value.formatted() == """
            {
              "name": "flash",
              "figures": {"p50": 310, "rate": 0.5},
              "steps": [
                {"n": 1},
                {}
              ],
              "tags": ["a", null],
              "none": []
            }
            """)
    }

    @Test func stringsAreEscapedAndNumbersSpelledOnce() {
        #expect(JSONValue.string("q\"\\\n\r\t\u{1}\u{2028}é").formatted() == #""q\"\\\n\r\t\u0001\u2028é""#)
        #expect(JSONValue.array([.number(-0.0), .number(.nan), .number(.infinity), .number(1e-05), .number(3), .integer(-7)]).formatted()
            == "[0.0, null, null, 1e-05, 3.0, -7]")
    }

    @Test func whatIsWrittenReadsBackAsTheSameValue() throws {
        let value = JSONValue.object(["a": .array([.integer(1), .bool(false), .string("x\"y\u{2029}")])])
        #expect(try JSONReader.read(Array(value.formatted().utf8)) == value)
    }
}
