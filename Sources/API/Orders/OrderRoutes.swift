import Auth
import Domain
import HTTPCodec
import HTTPServer
import Idempotency
import Orders

/// Buyers' routes: start or join a group, read groups, read and cancel their own orders.
struct OrderRoutes: Sendable {
    let orders: OrdersService
    let auth: Authenticator

    static let pageSizes = 1...100
    static let defaultPageSize = 20

    func add(to routes: inout RouteGroup) {
        routes.post("/groups", .async { try await startGroup($0, $1) })
        routes.post("/groups/{id}/join", .async { try await joinGroup($0, $1) })
        routes.get("/groups/{id}", .async { try await showGroup($0, $1) })
        routes.get("/deals/{id}/groups", .async { try await listGroups($0, $1) })
        routes.get("/orders", .async { try await listOrders($0, $1) })
        routes.get("/orders/{id}", .async { try await showOrder($0, $1) })
        routes.post("/orders/{id}/cancel", .async { try await cancelOrder($0, $1) })
    }

    func startGroup(_ request: Request, _ context: RequestContext) async throws -> Response {
        let buyer = try auth.require(.buyer, request)
        let (dealID, quantity) = try OrderInput.startGroup(request)
        let idempotency = try IdempotencyKeyHeader.claim(of: request)
        let answer = try await orders.startGroup(
            user: buyer.userID, dealID: dealID, quantity: quantity, idempotency: idempotency, on: context.loop
        )
        let location = CreatedLocation.headers(answer.body, id: ["group", "id"], under: "/v1/groups/")
        return .rawJSON(answer.body, status: HTTPStatus(code: answer.status), headers: location, context: context)
    }

    func joinGroup(_ request: Request, _ context: RequestContext) async throws -> Response {
        let buyer = try auth.require(.buyer, request)
        guard let groupID = request.id("id") else { throw OrdersError.groupNotFound("there is no such group") }
        let quantity = try OrderInput.joinGroup(request)
        let idempotency = try IdempotencyKeyHeader.claim(of: request)
        let answer = try await orders.joinGroup(
            user: buyer.userID, groupID: groupID, quantity: quantity, idempotency: idempotency, on: context.loop
        )
        let location = CreatedLocation.headers(answer.body, id: ["order", "id"], under: "/v1/orders/")
        return .rawJSON(answer.body, status: HTTPStatus(code: answer.status), headers: location, context: context)
    }

    func showGroup(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.principal(of: request)
        guard let id = request.id("id"), let group = try await orders.group(id: id, on: context.loop) else {
            throw OrdersError.groupNotFound("there is no such group")
        }
        return .rawJSON(group, context: context)
    }

    func listGroups(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.principal(of: request)
        guard let dealID = request.id("id") else { throw OrdersError.dealNotFound("there is no such deal") }
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let status = query["status"]
        if let status, !["open", "succeeded", "failed"].contains(status) {
            problems.append(FieldProblem("status", "must be one of open, succeeded, failed"))
        }
        let paging = PageQuery(query, sizes: Self.pageSizes, defaultSize: Self.defaultPageSize, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await orders.groups(dealID: dealID, status: status, after: paging.cursor, limit: paging.limit, on: context.loop)
        return .page(page.items, next: page.nextCursor, context: context) { $1.rawJSON($0) }
    }

    func listOrders(_ request: Request, _ context: RequestContext) async throws -> Response {
        let buyer = try auth.require(.buyer, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let paging = PageQuery(query, sizes: Self.pageSizes, defaultSize: Self.defaultPageSize, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await orders.orders(user: buyer.userID, before: paging.cursor, limit: paging.limit, on: context.loop)
        return .page(page.items, next: page.nextCursor, context: context) { $1.rawJSON($0) }
    }

    /// Only the owner or an admin sees an order; anyone else gets the same 404 as for a
    /// missing one, so ids cannot be probed.
    func showOrder(_ request: Request, _ context: RequestContext) async throws -> Response {
        let caller = try auth.require(.buyer, request)
        guard let id = request.id("id"), let order = try await orders.order(id: id, on: context.loop),
            order.owner == caller.userID || caller.role == .admin
        else { throw OrdersError.orderNotFound("there is no such order") }
        return .rawJSON(order.json, context: context)
    }

    func cancelOrder(_ request: Request, _ context: RequestContext) async throws -> Response {
        let buyer = try auth.require(.buyer, request)
        guard let id = request.id("id") else { throw OrdersError.orderNotFound("there is no such order") }
        let order = try await orders.cancel(orderID: id, user: buyer.userID, on: context.loop)
        return .rawJSON(order, context: context)
    }
}
