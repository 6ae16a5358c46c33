/// A statement parameter, sent in PostgreSQL's text format; the statement's parameter
/// types (or casts such as `$1::bigint`) say how the server reads it. Values are only ever
/// bound as parameters, never spliced into SQL.
public enum PostgresValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    case null
    case text(String)

    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int) { self = .text(String(value)) }
    public init(nilLiteral: ()) { self = .null }

    public static func int(_ value: Int) -> PostgresValue { .text(String(value)) }
    public static func bool(_ value: Bool) -> PostgresValue { .text(value ? "t" : "f") }
    public static func optional(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }

    var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}
