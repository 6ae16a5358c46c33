/// Writing a value as JSON text for people and diffs (gbload's reports): two-space indentation,
/// members in their order, and an object or array holding only scalars on one line, so the
/// same value is always the same bytes.
extension JSONValue {
    /// The value as formatted JSON text, without a final newline. Numbers that JSON cannot
    /// spell (NaN, infinities) are written as null; zero as `0.0`, whatever its sign.
    package func formatted() -> String {
        var out = ""
        write(to: &out, indent: "")
        return out
    }

    private var isScalar: Bool {
        switch self {
        case .object, .array: false
        default: true
        }
    }

    private func write(to out: inout String, indent: String) {
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            if members.allSatisfy(\.value.isScalar) {
                out += "{"
                for (index, member) in members.enumerated() {
                    if index > 0 { out += ", " }
                    Self.writeString(member.key, to: &out)
                    out += ": "
                    member.value.write(to: &out, indent: indent)
                }
                out += "}"
                return
            }
            let inner = indent + "  "
            out += "{\n"
            for (index, member) in members.enumerated() {
                out += inner
                Self.writeString(member.key, to: &out)
                out += ": "
                member.value.write(to: &out, indent: inner)
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        case .array(let elements):
            if elements.isEmpty { out += "[]"; return }
            if elements.allSatisfy(\.isScalar) {
                out += "["
                for (index, element) in elements.enumerated() {
                    if index > 0 { out += ", " }
                    element.write(to: &out, indent: indent)
                }
                out += "]"
                return
            }
            let inner = indent + "  "
            out += "[\n"
            for (index, element) in elements.enumerated() {
                out += inner
                element.write(to: &out, indent: inner)
                out += index == elements.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .string(let text):
            Self.writeString(text, to: &out)
        case .integer(let value):
            out += String(value)
        case .number(let value):
            // Swift's shortest round-trip spelling ("4998.5", "1e-05") is valid JSON for finite
            // values; zero is spelled once, so -0.0 does not make two runs' reports differ.
            out += value.isFinite ? (value == 0 ? "0.0" : "\(value)") : "null"
        case .bool(let value):
            out += value ? "true" : "false"
        case .null:
            out += "null"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
