import HTTPCodec

/// Refuses a request that repeats a header field meant to appear once, with 400: two
/// `Authorization` lines, say, where the first was used and the second ignored, so a client or
/// proxy could not tell which one counted (RFC 9110 §5.3). Host and Content-Length are the
/// parser's (a repeat there is a smuggling shape); the list is the caller's, who knows which
/// fields its handlers read.
///
/// It walks the header table once against up to 64 names: no allocation unless it refuses.
package struct SingletonHeadersMiddleware: Middleware {
    private let names: [StaticString]
    private let problemType: String
    private let title: String

    /// - Parameters:
    ///   - names: lower-case field names, at most 64.
    ///   - problemType: the `type` of the 400 problem, and its `title`.
    package init(names: [StaticString], problemType: String, title: String) {
        precondition(names.count <= 64, "at most 64 singleton header names")
        self.names = names
        self.problemType = problemType
        self.title = title
    }

    package func willHandle(_ request: Request, context: inout RequestContext) throws -> Response? {
        let entries = request.headerEntries
        guard entries.count > 1 else { return nil }
        var seen: UInt64 = 0
        for entry in entries {
            let name = request.view(entry.name)
            for index in names.indices where name.equalsIgnoringCase(names[index]) {
                let bit: UInt64 = 1 << UInt64(index)
                if seen & bit != 0 {
                    throw HTTPError(
                        .badRequest, type: problemType, title: title,
                        detail: "the \(name.string) header is sent more than once; send it once (a list in one line)"
                    )
                }
                seen |= bit
            }
        }
        return nil
    }
}
