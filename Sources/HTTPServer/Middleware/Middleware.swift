/// Code that runs around every handler: before it (and may answer instead of it) and after it
/// (and may change or replace the outcome, including turning an error into a response).
///
/// Hooks are synchronous on purpose: a request whose handler never suspends then runs from
/// the first byte to the last without a Task. Middleware runs in order before the handler
/// and in reverse order after it, so the first in the chain sees the final outcome.
public protocol Middleware: Sendable {
    /// Before the handler. Return a response to answer without calling the handler; throw to fail.
    func willHandle(_ request: Request, context: inout RequestContext) throws -> Response?

    /// After the handler or a later middleware produced `outcome`.
    func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext)
}

extension Middleware {
    public func willHandle(_ request: Request, context: inout RequestContext) throws -> Response? { nil }
    public func didHandle(_ request: Request, outcome: inout Result<Response, any Error>, context: inout RequestContext) {}
}
