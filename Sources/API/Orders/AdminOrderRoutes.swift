import Auth
import Domain
import HTTPCodec
import HTTPServer
import Inventory
import Orders

/// Admin routes over every buyer's orders and groups, refunds, and the stock invariant.
struct AdminOrderRoutes: Sendable {
    let orders: Orders
    let auth: Authenticator
    /// How far past its payment window an unpaid order may still hold stock before the
    /// inventory check calls it stuck (the expiry sweeper's period plus slack).
    let allowedExpiryLagSeconds: Int

    static let orderStatuses = ["pending_payment", "paid", "confirmed", "cancelled", "expired", "refund_pending", "refunded"]
    static let groupStatuses = ["open", "succeeded", "failed"]

    func add(to routes: inout RouterBuilder) {
        routes.get("/v1/admin/orders", .async { request, context in try await translatingErrors { try await listOrders(request, context) } })
        routes.get("/v1/admin/orders/{id}", .async { request, context in try await translatingErrors { try await showOrder(request, context) } })
        routes.post("/v1/admin/orders/{id}/refund", .async { request, context in try await translatingErrors { try await refund(request, context) } })
        routes.get("/v1/admin/groups", .async { request, context in try await translatingErrors { try await listGroups(request, context) } })
        routes.get("/v1/admin/inventory/check", .async { request, context in try await translatingErrors { try await checkInventory(request, context) } })
    }

    func listOrders(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        var filter = OrdersStore.OrderFilter(userID: query["userId"])
        filter.status = Self.oneOf(query, "status", Self.orderStatuses, &problems)
        filter.dealID = Self.id(query, "dealId", &problems)
        filter.groupID = Self.id(query, "groupId", &problems)
        let paging = PageQuery(query, sizes: 1...500, defaultSize: 50, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await orders.run(on: context.loop) { try await $0.orders(matching: filter, before: paging.cursor, limit: paging.limit, on: $1) }
        return .page(page.items, next: page.nextCursor, context: context) { $1.rawJSON($0) }
    }

    func showOrder(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        guard let id = request.id("id"), let order = try await orders.run(on: context.loop, { try await $0.orderWithHistory(id: id, on: $1) }) else {
            throw OrdersError.orderNotFound("there is no such order")
        }
        return .rawJSON(order, context: context)
    }

    /// Refunds a paid or confirmed order through the outbox; audited. Takes an Idempotency-Key.
    func refund(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw OrdersError.orderNotFound("there is no such order") }
        let idempotency = try IdempotencyKeyHeader.claim(of: request)
        let requestID = context.requestID.description
        let answer = try await orders.run(on: context.loop) { store, connection in
            try await store.idempotent(idempotency, user: admin.userID, on: connection) { connection in
                StoredResponse(status: 200, body: try await store.refund(orderID: id, actor: admin.userID, requestID: requestID, on: connection))
            }
        }
        return .rawJSON(answer.body, status: HTTPStatus(code: answer.status), context: context)
    }

    func listGroups(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let status = Self.oneOf(query, "status", Self.groupStatuses, &problems)
        let dealID = Self.id(query, "dealId", &problems)
        let paging = PageQuery(query, sizes: 1...500, defaultSize: 50, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await orders.run(on: context.loop) {
            try await $0.groups(status: status, dealID: dealID, before: paging.cursor, limit: paging.limit, on: $1)
        }
        return .page(page.items, next: page.nextCursor, context: context) { $1.rawJSON($0) }
    }

    /// The stock invariant for one deal (`dealId`) or all: 200 with `"healthy": true|false`
    /// and every violation and stuck reservation.
    func checkInventory(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let dealID = Self.id(query, "dealId", &problems)
        guard problems.isEmpty else { throw ErrorTranslation.validation(problems) }
        let lag = allowedExpiryLagSeconds
        let report = try await orders.run(on: context.loop) { _, connection in
            try await InventoryCheck.run(dealID: dealID, allowedLagSeconds: lag, on: connection)
        }
        if let dealID, report.dealsChecked == 0 { throw OrdersError.dealNotFound("there is no deal \(dealID)") }
        return .json(context: context) { InventoryRendering.write(report, into: &$0) }
    }

    private static func oneOf(_ query: QueryParameters, _ name: String, _ allowed: [String], _ problems: inout [FieldProblem]) -> String? {
        guard let value = query[name] else { return nil }
        if !allowed.contains(value) { problems.append(FieldProblem(name, "must be one of \(allowed.joined(separator: ", "))")) }
        return value
    }

    private static func id(_ query: QueryParameters, _ name: String, _ problems: inout [FieldProblem]) -> Int64? {
        guard let text = query[name] else { return nil }
        guard let id = Int64(text), id > 0 else {
            problems.append(FieldProblem(name, "must be a positive id"))
            return nil
        }
        return id
    }
}
