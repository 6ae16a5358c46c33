import Auth
import Domain
import HTTPServer
import Orders
import Payments

/// The outbox for admins: `GET /v1/admin/outbox?state=dead` lists jobs (refunds to send),
/// newest first, so operators can see what the workers gave up on and why.
struct AdminOutboxRoutes: Sendable {
    let payments: PaymentsService
    let auth: Authenticator

    func add(to routes: inout RouteGroup) {
        routes.get("/admin/outbox", .async { try await list($0, $1) })
    }

    func list(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let state = query["state"]
        if let state, !OutboxJobs.states.contains(state) {
            problems.append(FieldProblem("state", "must be one of \(OutboxJobs.states.joined(separator: ", "))"))
        }
        let paging = PageQuery(query, sizes: 1...500, defaultSize: 50, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await payments.outboxJobs(state: state, before: paging.cursor, limit: paging.limit, on: context.loop)
        return .page(page.jobs, next: page.nextCursor, context: context) { OutboxRendering.write($0, into: &$1) }
    }
}
