import Auth
import Domain
import HTTPCodec
import HTTPServer
import Idempotency
import Inventory
import Orders

/// Admin routes over every buyer's orders and groups, refunds, and the stock invariant.
struct AdminOrderRoutes: Sendable {
    let orders: OrdersService
    let auth: Authenticator
    /// How far past its payment window an unpaid order may still hold stock before the
    /// inventory check calls it stuck (the expiry sweeper's period plus slack).
    let allowedExpiryLagSeconds: Int

    static let orderStatuses = ["pending_payment", "paid", "confirmed", "cancelled", "expired", "refund_pending", "refunded"]
    static let groupStatuses = ["open", "succeeded", "failed"]

    func add(to routes: inout RouteGroup) {
        routes.get("/admin/orders", .async { try await listOrders($0, $1) })
        routes.get("/admin/orders/{id}", .async { try await showOrder($0, $1) })
        routes.post("/admin/orders/{id}/refund", .async { try await refund($0, $1) })
        routes.get("/admin/groups", .async { try await listGroups($0, $1) })
        routes.get("/admin/inventory/check", .async { try await checkInventory($0, $1) })
    }

    func listOrders(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        var filter = OrderFilter(userID: query["userId"])
        filter.status = Self.oneOf(query, "status", Self.orderStatuses, &problems)
        filter.dealID = Self.id(query, "dealId", &problems)
        filter.groupID = Self.id(query, "groupId", &problems)
        let paging = PageQuery(query, sizes: 1...500, defaultSize: 50, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let page = try await orders.orders(matching: filter, before: paging.cursor, limit: paging.limit, on: context.loop)
        return .page(page.items, next: page.nextCursor, context: context) { $1.rawJSON($0) }
    }

    func showOrder(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        guard let id = request.id("id"), let order = try await orders.orderWithHistory(id: id, on: context.loop) else {
            throw OrdersError.orderNotFound("there is no such order")
        }
        return .rawJSON(order, context: context)
    }

    /// Refunds a paid or confirmed order through the outbox; audited. Takes an Idempotency-Key.
    func refund(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw OrdersError.orderNotFound("there is no such order") }
        let idempotency = try IdempotencyKeyHeader.claim(of: request)
        let answer = try await orders.refund(
            orderID: id, actor: admin.userID, requestID: context.requestID.description, idempotency: idempotency, on: context.loop
        ) { StoredResponse(status: 200, body: $0) }
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
        let page = try await orders.groups(status: status, dealID: dealID, before: paging.cursor, limit: paging.limit, on: context.loop)
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
        let report = try await orders.inventoryReport(dealID: dealID, allowedLagSeconds: allowedExpiryLagSeconds, on: context.loop)
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
