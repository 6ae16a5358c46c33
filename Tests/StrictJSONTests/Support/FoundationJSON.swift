import Foundation
import StrictJSON

/// What Foundation's JSONDecoder makes of a document, in our value type: the reader the
/// API used before `JSONReader`, decoded the way it decoded it. Shared with the fuzzer
/// (Fuzz/Sources/JSONReaderFuzzer links to this file).
struct FoundationJSON: Decodable {
    let value: JSONValue

    static func decode(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONDecoder().decode(FoundationJSON.self, from: Data(bytes)).value
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            value = .null
        } else if let bool = try? container.decode(Bool.self) {
            value = .bool(bool)
        } else if let integer = try? container.decode(Int64.self) {
            value = .integer(integer)
        } else if let number = try? container.decode(Double.self) {
            value = .number(number)
        } else if let string = try? container.decode(String.self) {
            value = .string(string)
        } else if let elements = try? container.decode([FoundationJSON].self) {
            value = .array(elements.map(\.value))
        } else {
            value = .object(JSONObject(try container.decode([String: FoundationJSON].self).mapValues(\.value)))
        }
    }

    /// Equal, except that Foundation reads a whole number written with a fraction or an
    /// exponent through a Double (`9223372036854775807.0` becomes 2^63, a Double); ours keeps
    /// the exact integer. Numbers then agree when they are the same Double, or (beyond 2^53,
    /// where Foundation truncates a fraction) one Double step apart.
    static func agree(_ ours: JSONValue, _ theirs: JSONValue) -> Bool {
        switch (ours, theirs) {
        case (.array(let a), .array(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { agree($0, $1) }
        case (.object(let a), .object(let b)):
            return a.count == b.count && a.allSatisfy { name, value in b[name].map { agree(value, $0) } ?? false }
        case (.number(let number), .integer(let integer)) where integer.magnitude >= 1 << 53:
            // Foundation reads `9223303685477577.50` as the Int64 9223303685477577: it drops a
            // fraction a Double cannot hold at that size. Ours is the literal rounded correctly,
            // so the two may lie one Double step apart (found by the fuzzer).
            return abs(number - Double(integer)) <= number.ulp
        case (.integer, .number), (.number, .integer), (.integer, .integer):
            return ours == theirs || double(ours) == double(theirs)
        default:
            return ours == theirs
        }
    }

    private static func double(_ value: JSONValue) -> Double? {
        switch value {
        case .integer(let integer): Double(integer)
        case .number(let number): number
        default: nil
        }
    }
}
