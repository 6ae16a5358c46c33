import Domain
import StrictJSON

/// Takes typed fields out of a JSON object and collects every problem on the way, so that
/// one 422 answer lists all of them instead of the first.
struct FieldReader {
    private let members: JSONObject
    private var seen: Set<String> = []
    private(set) var problems: [FieldProblem] = []

    init(_ members: JSONObject) {
        self.members = members
    }

    /// nil when absent (and a problem if `required`); `.some(nil)` only for an explicit null
    /// where `nullable`.
    private mutating func value(_ name: String, required: Bool, nullable: Bool = false) -> JSONValue? {
        seen.insert(name)
        guard let value = members[name] else {
            if required { problems.append(FieldProblem(name, "is required")) }
            return nil
        }
        if value == .null && !nullable {
            problems.append(FieldProblem(name, required ? "is required" : "must not be null"))
            return nil
        }
        return value
    }

    mutating func string(_ name: String, required: Bool = false) -> String? {
        guard let value = value(name, required: required) else { return nil }
        guard case .string(let text) = value else { return mistyped(name, "a string", value) }
        return text
    }

    /// Absent: nil. Null: `.some(nil)`. A string: `.some(text)`.
    mutating func nullableString(_ name: String) -> String?? {
        guard let value = value(name, required: false, nullable: true) else { return nil }
        switch value {
        case .null: return .some(nil)
        case .string(let text): return .some(text)
        default:
            problems.append(FieldProblem(name, "must be a string or null, got \(value.kind)"))
            return nil
        }
    }

    mutating func integer(_ name: String, required: Bool = false) -> Int64? {
        guard let value = value(name, required: required) else { return nil }
        guard case .integer(let number) = value else { return mistyped(name, "an integer", value) }
        return number
    }

    mutating func int(_ name: String, required: Bool = false) -> Int? {
        guard let number = integer(name, required: required) else { return nil }
        guard let small = Int32(exactly: number) else {
            problems.append(FieldProblem(name, "is out of range"))
            return nil
        }
        return Int(small)
    }

    mutating func bool(_ name: String, required: Bool = false) -> Bool? {
        guard let value = value(name, required: required) else { return nil }
        guard case .bool(let flag) = value else { return mistyped(name, "true or false", value) }
        return flag
    }

    mutating func timestamp(_ name: String, required: Bool = false) -> Timestamp? {
        guard let text = string(name, required: required) else { return nil }
        guard let timestamp = Timestamp(rfc3339: text) else {
            problems.append(FieldProblem(name, "must be an RFC 3339 date-time such as 2026-12-01T18:00:00Z"))
            return nil
        }
        return timestamp
    }

    mutating func oneOf<Value: RawRepresentable<String>>(_ name: String, _ allowed: [Value], required: Bool = false) -> Value? {
        guard let text = string(name, required: required) else { return nil }
        guard let match = allowed.first(where: { $0.rawValue == text }) else {
            problems.append(FieldProblem(name, "must be one of \(allowed.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        return match
    }

    /// Adds a problem for every member no reader asked for (typos must not pass silently).
    mutating func refuseUnknownFields() {
        for name in members.keys.sorted() where !seen.contains(name) {
            problems.append(FieldProblem(name, "is not a known field"))
        }
    }

    private mutating func mistyped<Value>(_ name: String, _ expected: String, _ value: JSONValue) -> Value? {
        problems.append(FieldProblem(name, "must be \(expected), got \(value.kind)"))
        return nil
    }
}
