import Domain
import HTTPCodec
import HTTPServer

extension ErrorTranslation {
    /// Problems listed in one 422: a body of a million unknown fields must not get an answer
    /// seven times its size. `moreErrors` counts the rest.
    static let maxListedProblems = 50
    /// Characters of a field name shown (an unknown name may be as long as the body).
    static let maxShownFieldName = 128

    /// The 422 for invalid fields: the first `maxListedProblems` in `errors` and in `detail`,
    /// and how many more there are.
    static func validation(_ problems: [FieldProblem]) -> HTTPError {
        let listed = problems.prefix(maxListedProblems).map { FieldProblem(shown($0.field), $0.message) }
        let more = problems.count - listed.count
        var extensions: [(String, ProblemValue)] = [
            ("errors", .array(listed.map { .object([("field", .string($0.field)), ("message", .string($0.message))]) }))
        ]
        if more > 0 { extensions.append(("moreErrors", .int(more))) }
        return HTTPError(
            .unprocessableContent, type: ProblemType.validation,
            detail: listed.map(\.description).joined(separator: "; ") + (more > 0 ? "; and \(more) more" : ""),
            extensions: extensions
        )
    }

    private static func shown(_ field: String) -> String {
        field.count > maxShownFieldName ? field.prefix(maxShownFieldName) + "…" : field
    }
}
