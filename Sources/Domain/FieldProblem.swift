/// One invalid field of an input: its name as the client sent it and what is wrong.
/// A request with any of these is refused with 422, listing all of them.
public struct FieldProblem: Sendable, Hashable, CustomStringConvertible {
    public let field: String
    public let message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
