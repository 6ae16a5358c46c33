/// A route's handler: immediate (answers synchronously, no Task at all) or async (runs in a
/// Task on the connection's loop and may suspend, e.g. on the database).
///
/// The split is explicit because it is a cost decision: an immediate handler serves a
/// request with no allocation; an async one pays for a Task: 6 allocations per request
/// (measured in loadtest/peers/README.md).
public struct Handler: Sendable {
    enum Kind: Sendable {
        case immediate(@Sendable (Request, inout RequestContext) throws -> Response)
        case async(@Sendable (Request, inout RequestContext) async throws -> Response)
    }

    let kind: Kind

    /// A handler that never suspends.
    public static func immediate(
        _ body: @escaping @Sendable (Request, inout RequestContext) throws -> Response
    ) -> Handler {
        Handler(kind: .immediate(body))
    }

    /// A handler that may suspend; it runs on the request's loop and resumes there.
    public static func async(
        _ body: @escaping @Sendable (Request, inout RequestContext) async throws -> Response
    ) -> Handler {
        Handler(kind: .async(body))
    }
}
