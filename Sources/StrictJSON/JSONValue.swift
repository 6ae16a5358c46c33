/// A parsed JSON document, kept exact enough to tell each input mistake apart
/// (a string where a number belongs, 1.5 where an integer belongs, true where 1 belongs).
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number whose literal is a whole number that fits in 64 bits (`3`, `3.0`, `3e2`).
    case integer(Int64)
    /// Any other number, as the nearest Double.
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order (or the order built), each name once.
    case object(JSONObject)

    /// How the value is described in an error message ("got a string").
    package var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
