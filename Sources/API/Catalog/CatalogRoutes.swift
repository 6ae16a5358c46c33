import Auth
import Catalog
import Domain
import Foundation
import HTTPCodec
import HTTPServer
import Idempotency
import StrictJSON

/// REST routes of the catalog: public reads under /v1/deals, admin changes under /v1/admin.
struct CatalogRoutes: Sendable {
    let catalog: CatalogService
    let auth: Authenticator

    static let pageSizes = 1...100
    static let defaultPageSize = 20

    func add(to routes: inout RouteGroup) {
        routes.get("/deals", .async { try await listDeals($0, $1) })
        routes.get("/deals/{id}", .async { try await showDeal($0, $1) })
        routes.post("/admin/deals", .async { try await createDeal($0, $1) })
        routes.patch("/admin/deals/{id}", .async { try await updateDeal($0, $1) })
        routes.post("/admin/deals/{id}/close", .async { try await closeDeal($0, $1) })
        routes.post("/admin/deals/{id}/stock", .async { try await addStock($0, $1) })
        routes.get("/admin/deals/{id}/stock", .async { try await showStock($0, $1) })
        routes.get("/admin/audit", .async { try await listAudit($0, $1) })
    }

    // MARK: - Public reads

    func listDeals(_ request: Request, _ context: RequestContext) async throws -> Response {
        let isAdmin = try auth.principal(of: request)?.role == .admin
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        var status: DealStatus?
        if let text = query["status"] {
            status = DealStatus(rawValue: text)
            if status == nil || (status == .draft && !isAdmin) {
                problems.append(FieldProblem("status", "must be one of \((isAdmin ? DealStatus.allCases : [.active, .paused, .closed]).map(\.rawValue).joined(separator: ", "))"))
            }
        }
        let activeNow = query["active"].map { $0 == "true" } ?? false
        if let text = query["active"], text != "true" && text != "false" {
            problems.append(FieldProblem("active", "must be true or false"))
        }
        // Load-test deals are listed to admins only: all by default, or only/none with testData.
        var testData: Bool? = isAdmin ? nil : false
        if let text = query["testData"] {
            if text == "true" && isAdmin || text == "false" {
                testData = text == "true"
            } else {
                let rule = isAdmin ? "must be true or false" : "must be false (test data is listed to admins only)"
                problems.append(FieldProblem("testData", rule))
            }
        }
        let paging = PageQuery(query, sizes: Self.pageSizes, defaultSize: Self.defaultPageSize, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }

        let page = try await catalog.deals(
            status: status, activeNow: activeNow, includeDrafts: isAdmin, testData: testData, after: paging.cursor, limit: paging.limit,
            on: context.loop
        )
        return .page(page.deals, next: page.nextCursor, context: context) { DealRendering.write($0, into: &$1) }
    }

    func showDeal(_ request: Request, _ context: RequestContext) async throws -> Response {
        let isAdmin = try auth.principal(of: request)?.role == .admin
        guard let id = request.id("id"), let deal = try await catalog.cachedDeal(id: id, on: context.loop),
            deal.status != .draft || isAdmin
        else { throw CatalogError.dealNotFound }
        var headers = ResponseHeaders()
        headers.add("ETag", .string(ETag.make(version: deal.version)))
        if let ifNoneMatch = request.headers.first("if-none-match"), ifNoneMatch.trimmingCharacters(in: .whitespaces) == ETag.make(version: deal.version) {
            return Response(status: .notModified, headers: headers)
        }
        headers.contentType = "application/json"
        return Response(status: .ok, headers: headers, body: context.writeBody { body in
            deal.json.withUnsafeBytes { body.write($0) }
        })
    }

    // MARK: - Admin

    /// Takes an Idempotency-Key: a retry answers the first 201 (same body, Location and ETag)
    /// and creates nothing.
    func createDeal(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        let (draft, stock) = try DealInput.draft(try JSONInput.object(of: request))
        let idempotency = try IdempotencyKeyHeader.claim(of: request)
        var created: Deal?
        let answer = try await catalog.create(
            draft, initialStock: stock, by: auditActor(admin, context), idempotency: idempotency, on: context.loop
        ) { deal in
            created = deal
            let body = context.renderBytes { $0.json { DealRendering.write(deal, into: &$0) } }
            return StoredResponse(status: 201, body: String(decoding: body, as: UTF8.self))
        }
        // Location and ETag from the deal made now, or from the first answer a retry replays.
        let (id, version) = created.map { ($0.id, $0.version) } ?? Self.idAndVersion(of: answer.body)
        var headers = ResponseHeaders()
        if let id, let version {
            headers.add("Location", .string("/v1/deals/\(id)"))
            headers.add("ETag", .string(ETag.make(version: version)))
        }
        headers.contentType = "application/json"
        return Response(status: HTTPStatus(code: answer.status), headers: headers, body: context.writeBody { $0.write(answer.body) })
    }

    /// The id and version in a stored answer of deal creation.
    static func idAndVersion(of answer: String) -> (Int64?, Int?) {
        let members = CreatedLocation.members(of: answer)
        guard case .integer(let id) = members["id"], case .integer(let version) = members["version"] else { return (nil, nil) }
        return (id, Int(version))
    }

    func updateDeal(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw CatalogError.dealNotFound }
        let condition = ETag.ifMatch(request)
        guard condition != .absent else {
            throw HTTPError(
                428, type: ProblemType.preconditionRequired,
                detail: "send If-Match with the ETag you read, so a concurrent change is not overwritten"
            )
        }
        let changes = try DealInput.changes(try JSONInput.object(of: request, mediaTypes: ["application/json", "application/merge-patch+json"]))
        let actor = auditActor(admin, context)
        let deal = try await catalog.update(id: id, changes: changes, expectedVersions: condition.versions, by: actor, on: context.loop)
        return dealResponse(deal, context)
    }

    func closeDeal(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw CatalogError.dealNotFound }
        let (actor, expected) = (auditActor(admin, context), ETag.ifMatch(request).versions)
        let deal = try await catalog.close(id: id, expectedVersions: expected, by: actor, on: context.loop)
        return dealResponse(deal, context)
    }

    func addStock(_ request: Request, _ context: RequestContext) async throws -> Response {
        let admin = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw CatalogError.dealNotFound }
        let quantity = try DealInput.stockQuantity(try JSONInput.object(of: request))
        let actor = auditActor(admin, context)
        let stock = try await catalog.addStock(id: id, quantity: quantity, by: actor, on: context.loop)
        return .json(context: context) { DealRendering.write(stock, dealID: id, into: &$0) }
    }

    func showStock(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        guard let id = request.id("id") else { throw CatalogError.dealNotFound }
        let stock = try await catalog.stock(id: id, on: context.loop)
        return .json(context: context) { DealRendering.write(stock, dealID: id, into: &$0) }
    }

    func listAudit(_ request: Request, _ context: RequestContext) async throws -> Response {
        _ = try auth.require(.admin, request)
        let query = try QueryParameters(request)
        var problems: [FieldProblem] = []
        let paging = PageQuery(query, sizes: 1...500, defaultSize: 50, problems: &problems)
        guard problems.isEmpty, let paging else { throw ErrorTranslation.validation(problems) }
        let entityID = query["entityId"]
        let page = try await catalog.audit(entityID: entityID, before: paging.cursor, limit: paging.limit, on: context.loop)
        return .page(page.entries, next: page.nextCursor, context: context) { DealRendering.write($0, into: &$1) }
    }

    // MARK: - Helpers

    private func auditActor(_ principal: Principal, _ context: RequestContext) -> AuditActor {
        AuditActor(userID: principal.userID, requestID: context.requestID.description)
    }

    private func dealResponse(_ deal: Deal, _ context: RequestContext) -> Response {
        var headers = ResponseHeaders()
        headers.add("ETag", .string(ETag.make(version: deal.version)))
        return .json(headers: headers, context: context) { DealRendering.write(deal, into: &$0) }
    }
}
