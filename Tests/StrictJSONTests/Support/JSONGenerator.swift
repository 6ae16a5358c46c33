import IOCore
import StrictJSON

/// Random valid JSON documents for property tests: a value tree, and one of the many ways to
/// write it (whitespace, escapes, number spellings), from a seed so a failure can be replayed.
struct JSONGenerator {
    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// A value nested at most `depth` levels; objects have distinct member names.
    mutating func value(depth: Int) -> JSONValue {
        let kinds = depth > 0 ? 7 : 5
        switch random.below(kinds) {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return integer()
        case 3: return number()
        case 4: return .string(string())
        case 5: return .array((0..<random.below(5)).map { _ in value(depth: depth - 1) })
        default:
            var members = JSONObject()
            for _ in 0..<random.below(6) { members[string(maxLength: 6)] = value(depth: depth - 1) }
            return .object(members)
        }
    }

    mutating func integer() -> JSONValue {
        switch random.below(4) {
        case 0: return .integer(Int64(random.below(10)))
        case 1: return .integer(Int64(random.below(2_000_001)) - 1_000_000)
        case 2: return .integer([Int64.max, Int64.min, Int64.max - 1, Int64.min + 1][random.below(4)])
        default: return .integer(Int64(bitPattern: random.next()))
        }
    }

    /// A Double that is not a whole number within Int64 (those are `.integer` by definition).
    mutating func number() -> JSONValue {
        while true {
            let candidate: Double
            switch random.below(3) {
            case 0: candidate = (random.unit() - 0.5) * 1_000
            case 1: candidate = Double(bitPattern: random.next())
            default: candidate = Double(Int64(random.below(100_000)) - 50_000) / 64 * [1e-300, 1e-5, 1, 1e20, 1e300][random.below(5)]
            }
            guard candidate.isFinite else { continue }
            if candidate.rounded() == candidate && abs(candidate) < 0x1p63 { continue }
            return .number(candidate)
        }
    }

    /// Text from every plane, without U+0000 (which the reader refuses by design).
    mutating func string(maxLength: Int = 12) -> String {
        var text = String.UnicodeScalarView()
        for _ in 0..<random.below(maxLength + 1) {
            let scalar: UInt32
            switch random.below(6) {
            case 0: scalar = UInt32(1 + random.below(0x1F))  // control characters: always escaped
            case 1: scalar = [0x22, 0x5C, 0x2F][random.below(3)]  // quote, backslash, slash
            case 2: scalar = UInt32(0x20 + random.below(0x5F))
            case 3: scalar = UInt32(0x80 + random.below(0xD800 - 0x80))
            case 4: scalar = UInt32(0xE000 + random.below(0x10000 - 0xE000))
            default: scalar = UInt32(0x10000 + random.below(0x110000 - 0x10000))
            }
            text.append(Unicode.Scalar(scalar)!)
        }
        return String(text)
    }

    // MARK: - Writing

    /// One spelling of `value` as a JSON document.
    mutating func write(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        whitespace(into: &out)
        write(value, into: &out)
        whitespace(into: &out)
        return out
    }

    private mutating func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out += Array("null".utf8)
        case .bool(let flag): out += Array((flag ? "true" : "false").utf8)
        case .integer(let integer): out += Array(spell(integer).utf8)
        case .number(let number): out += Array(spell(number).utf8)
        case .string(let text): write(text, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(into: &out)
                write(element, into: &out)
                whitespace(into: &out)
            }
            if elements.isEmpty { whitespace(into: &out) }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (position, (name, member)) in members.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                whitespace(into: &out)
                write(name, into: &out)
                whitespace(into: &out)
                out.append(UInt8(ascii: ":"))
                whitespace(into: &out)
                write(member, into: &out)
                whitespace(into: &out)
            }
            if members.isEmpty { whitespace(into: &out) }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers as plain digits, with a zero fraction, or with an exponent, all exact.
    private mutating func spell(_ integer: Int64) -> String {
        let digits = String(integer)
        switch random.below(4) {
        case 0 where integer % 100 == 0 && integer != 0:
            return String(integer / 100) + ["e2", "E2", "e+2", "00e0"][random.below(4)]
        case 1:
            return digits + ".0" + String(repeating: "0", count: random.below(3))
        default:
            return digits
        }
    }

    /// Swift's shortest round-tripping spelling, sometimes with the exponent written otherwise.
    private mutating func spell(_ number: Double) -> String {
        let text = String(number)
        guard random.below(2) == 0 else { return text }
        return text.replacing("e+", with: ["E", "e", "E+"][random.below(3)])
    }

    /// A string literal: each scalar raw or escaped (`\n`-style, `\u00XX`, surrogate pairs).
    private mutating func write(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            if !mustEscape && random.below(4) != 0 {
                out += Array(String(scalar).utf8)
                continue
            }
            let short: [Unicode.Scalar: String] = ["\"": "\\\"", "\\": "\\\\", "/": "\\/", "\u{8}": "\\b", "\u{C}": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"]
            if let escape = short[scalar], random.below(2) == 0 {
                out += Array(escape.utf8)
            } else {
                for unit in String(scalar).utf16 { out += Array(hexEscape(unit).utf8) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private mutating func hexEscape(_ unit: UInt16) -> String {
        let hex = String(unit, radix: 16, uppercase: random.below(2) == 0)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    private mutating func whitespace(into out: inout [UInt8]) {
        for _ in 0..<[0, 0, 1, 2][random.below(4)] { out.append([0x20, 0x09, 0x0A, 0x0D][random.below(4)]) }
    }
}
