import Foundation
import Observability
import Testing

/// The escaped form of `string`, plus the number of pieces `escape` emitted.
private func escaped(_ string: String) -> (bytes: [UInt8], pieces: Int) {
    var out: [UInt8] = []
    var pieces = 0
    var copy = string
    copy.withUTF8 { utf8 in
        JSONEscaping.escape(UnsafeRawBufferPointer(utf8)) { piece in
            pieces += 1
            out.append(contentsOf: piece)
        }
    }
    return (out, pieces)
}

private func escapedString(_ string: String) -> String {
    String(decoding: escaped(string).bytes, as: UTF8.self)
}

/// Parses `"<escaped>"` as a JSON string (inside an array, so no fragment option is needed).
private func decodeJSONString(_ escapedBytes: [UInt8]) -> String? {
    let document = Array("[\"".utf8) + escapedBytes + Array("\"]".utf8)
    guard let array = try? JSONSerialization.jsonObject(with: Data(document)) as? [Any] else { return nil }
    return array.first as? String
}

@Suite struct JSONEscapingTests {
    @Test(arguments: [
        ("plain text", "plain text"),
        ("", ""),
        ("say \"hi\"", #"say \"hi\""#),
        (#"C:\dir\file"#, #"C:\\dir\\file"#),
        ("a\nb\rc\td", #"a\nb\rc\td"#),
        ("\u{00}", #"\u0000"#),
        ("\u{01}\u{08}\u{0B}\u{0C}\u{1B}\u{1F}", #"\u0001\u0008\u000b\u000c\u001b\u001f"#),
        ("\u{7F} / é € 😀", "\u{7F} / é € 😀"),
        ("\"\\\n", #"\"\\\n"#),
        ("end\u{1F}", #"end\u001f"#),
    ])
    func knownEscapes(input: String, expected: String) {
        #expect(escapedString(input) == expected)
    }

    @Test func everyControlCharacterIsEscapedAndRoundTrips() throws {
        for value in UInt8(0)..<0x20 {
            let input = "x" + String(UnicodeScalar(value)) + "y"
            let output = escaped(input).bytes
            #expect(!output.contains { $0 < 0x20 }, "raw control byte \(value) left in the output")
            let decoded = try #require(decodeJSONString(output), "control byte \(value)")
            #expect(Array(decoded.utf8) == Array(input.utf8), "control byte \(value)")
            let expectedLength: Int = switch value {
            case 0x0A, 0x0D, 0x09: 2
            default: 6
            }
            #expect(output.count == 2 + expectedLength, "control byte \(value)")
        }
    }

    @Test func randomStringsRoundTripThroughJSONSerialization() throws {
        var generator = SeededGenerator(seed: 0x5EED_0002)
        for round in 0..<3000 {
            let input = randomTrickyString(length: Int.random(in: 0...60, using: &generator), using: &generator)
            let output = escaped(input).bytes
            #expect(!output.contains { $0 < 0x20 }, "round \(round)")
            let decoded = try #require(decodeJSONString(output), "round \(round): \(output)")
            // Compare bytes: String == would accept canonically equivalent but different text.
            #expect(Array(decoded.utf8) == Array(input.utf8), "round \(round)")
            // Multi-byte UTF-8 passes through untouched, in order.
            #expect(output.filter { $0 >= 0x80 } == Array(input.utf8).filter { $0 >= 0x80 }, "round \(round)")
            // Only the escaped characters make the output longer.
            let growth = input.utf8.reduce(0) { sum, byte in
                switch byte {
                case 0x22, 0x5C, 0x0A, 0x0D, 0x09: sum + 1
                case 0..<0x20: sum + 5
                default: sum
                }
            }
            #expect(output.count == input.utf8.count + growth, "round \(round)")
        }
    }

    /// U+FEFF is checked byte for byte (Foundation's parser drops it after an escape).
    @Test func byteOrderMarkPassesThroughUntouched() {
        #expect(escaped("\u{FEFF}").bytes == [0xEF, 0xBB, 0xBF])
        #expect(escapedString("\n\u{FEFF}\"\u{FEFF}x") == "\\n\u{FEFF}\\\"\u{FEFF}x")
    }

    @Test func plainRunsAreEmittedAsOnePiece() {
        #expect(escaped("no escapes at all, just text é😀").pieces == 1)
        #expect(escaped("").pieces == 0)
        // run, escape, run, escape
        #expect(escaped("ab\"cd\n").pieces == 4)
    }
}
