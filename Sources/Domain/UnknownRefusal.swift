/// A refusal the database answered with a code none of ours stands for: the schema and this
/// build are out of step (a 500, logged with the code).
public struct UnknownRefusal: Error, Sendable, CustomStringConvertible {
    public let code: String
    public let detail: String

    public init(code: String, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "the database refused with \(code), which this build does not know: \(detail)" }
}
