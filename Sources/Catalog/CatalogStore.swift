public import Domain
public import Postgres

/// The catalog's reads and writes on one connection (statements from `CatalogStatements`,
/// prepared by the pool). Stateless: one value serves every loop.
public struct CatalogStore: Sendable {
    /// How many slot rows a new deal's stock is spread over.
    public let slotsPerDeal: Int

    public init(slotsPerDeal: Int) {
        precondition((1...1_024).contains(slotsPerDeal))
        self.slotsPerDeal = slotsPerDeal
    }

    public func deal(id: Int64, on connection: PostgresConnection) async throws -> Deal? {
        let rows = try await connection.execute(CatalogStatements.findDeal.name, [.int(Int(id))])
        return rows.count == 0 ? nil : try Deal(row: rows[0])
    }

    /// Deals after `cursor` in id order; `nextCursor` is set when more may follow. `testData`:
    /// only test data (true), none (false, the public list), or both (nil).
    public func deals(
        status: DealStatus?, activeNow: Bool, includeDrafts: Bool, testData: Bool?, after cursor: Cursor?, limit: Int,
        on connection: PostgresConnection
    ) async throws -> (deals: [Deal], nextCursor: Cursor?) {
        let rows = try await connection.execute(
            CatalogStatements.listDeals.name,
            [
                .optional(status?.rawValue), .bool(activeNow), .bool(includeDrafts), .int(Int(cursor?.afterID ?? 0)), .int(limit + 1),
                testData.map(PostgresValue.bool) ?? .null,
            ]
        )
        var deals: [Deal] = []
        deals.reserveCapacity(min(rows.count, limit))
        for index in 0..<min(rows.count, limit) { deals.append(try Deal(row: rows[index])) }
        let next = rows.count > limit ? deals.last.map { Cursor(afterID: $0.id) } : nil
        return (deals, next)
    }

    public func create(_ draft: DealDraft, initialStock: Int, by actor: AuditActor, on connection: PostgresConnection) async throws -> Deal {
        var problems = draft.problems
        if !DealDraft.Limits.initialStock.contains(initialStock) {
            problems.append(FieldProblem("stock", "must be between 0 and \(DealDraft.Limits.initialStock.upperBound)"))
        }
        guard problems.isEmpty else { throw CatalogError.invalid(problems) }
        let rows = try await connection.execute(
            CatalogStatements.createDeal.name,
            Self.fieldParameters(draft)
                + [.int(slotsPerDeal), .int(initialStock), .text(actor.userID), .text(actor.requestID), .bool(draft.testData)]
        )
        return try Deal(row: rows[0])
    }

    /// Applies `changes` if the deal is at one of `expectedVersions` (nil: whatever it is).
    public func update(
        id: Int64, changes: DealChanges, expectedVersions: Set<Int>?, by actor: AuditActor, on connection: PostgresConnection
    ) async throws -> Deal {
        let rows = try await connection.execute(CatalogStatements.findDealWithSnapshot.name, [.int(Int(id))])
        guard rows.count == 1 else { throw CatalogError.dealNotFound }
        let current = try Deal(row: rows[0])
        if let expectedVersions, !expectedVersions.contains(current.version) { throw CatalogError.versionMismatch(current: current.version) }
        guard current.status != .closed else { throw CatalogError.dealClosed }
        let wanted = changes.applied(to: current.fields)
        let problems = wanted.problems
        guard problems.isEmpty else { throw CatalogError.invalid(problems) }
        if current.status.requiresNoOrders(toBecome: wanted.status),
            try await connection.execute(CatalogStatements.dealHasOrders.name, [.int(Int(id))])[0].bool(0) == true
        {
            throw Self.ordersStranded
        }
        let updated: PostgresRows
        do {
            updated = try await connection.execute(
                CatalogStatements.updateDeal.name,
                [.int(Int(id))] + Self.fieldParameters(wanted)
                    + [.int(current.version), .optional(rows[0].string("snapshot")), .text(actor.userID), .text(actor.requestID)]
            )
        } catch let error as PostgresError where error.sqlState == "GB017" {
            // A buyer ordered between our check and our write: the trigger refused it.
            throw Self.ordersStranded
        }
        guard updated.count == 1 else {
            // Changed (or closed) between our read and our write: the client must look again.
            let now = try await deal(id: id, on: connection)
            guard let now else { throw CatalogError.dealNotFound }
            if now.status == .closed { throw CatalogError.dealClosed }
            throw CatalogError.versionMismatch(current: now.version)
        }
        return try Deal(row: updated[0])
    }

    static let ordersStranded = CatalogError.statusChangeRefused(
        "buyers have ordered this deal, so it cannot go back to draft (they would lose sight of it); "
            + "pause or close it instead"
    )

    /// Closes the deal; closing a closed deal changes nothing and answers it as it is.
    public func close(id: Int64, expectedVersions: Set<Int>?, by actor: AuditActor, on connection: PostgresConnection) async throws -> Deal {
        if let expectedVersions {
            guard let current = try await deal(id: id, on: connection) else { throw CatalogError.dealNotFound }
            if !expectedVersions.contains(current.version) { throw CatalogError.versionMismatch(current: current.version) }
        }
        let rows = try await connection.execute(CatalogStatements.closeDeal.name, [.int(Int(id)), .text(actor.userID), .text(actor.requestID)])
        if rows.count == 1 { return try Deal(row: rows[0]) }
        guard let current = try await deal(id: id, on: connection) else { throw CatalogError.dealNotFound }
        return current
    }

    public static let stockAddition = 1...10_000_000

    /// Adds `quantity` units, spread evenly over the deal's slots.
    /// Records an admin action that changes nothing in the catalog (issuing tokens, say);
    /// `after` is JSON text describing what was done.
    public func recordAudit(action: String, entity: String, entityID: String, after: String, by actor: AuditActor, on connection: PostgresConnection) async throws {
        _ = try await connection.execute(
            CatalogStatements.recordAudit.name,
            [.text(actor.userID), .text(action), .text(entity), .text(entityID), .text(after), .text(actor.requestID)]
        )
    }

    public func addStock(id: Int64, quantity: Int, by actor: AuditActor, on connection: PostgresConnection) async throws -> StockFigures {
        guard Self.stockAddition.contains(quantity) else {
            throw CatalogError.invalid([FieldProblem("quantity", "must be between 1 and \(Self.stockAddition.upperBound)")])
        }
        let rows: PostgresRows
        do {
            rows = try await connection.execute(
                CatalogStatements.addStock.name, [.int(Int(id)), .int(quantity), .text(actor.userID), .text(actor.requestID)]
            )
        } catch let error as PostgresError where error.sqlState == "22003" {
            throw CatalogError.invalid([FieldProblem("quantity", "would take a stock slot past its largest value")])
        }
        if rows.count > 0 { return try StockFigures(rows: rows) }
        guard let current = try await deal(id: id, on: connection) else { throw CatalogError.dealNotFound }
        throw current.status == .closed ? CatalogError.dealClosed : CatalogError.dealNotFound
    }

    public func stock(id: Int64, on connection: PostgresConnection) async throws -> StockFigures {
        let rows = try await connection.execute(CatalogStatements.stockOfDeal.name, [.int(Int(id))])
        guard rows.count > 0 else { throw CatalogError.dealNotFound }
        return try StockFigures(rows: rows)
    }

    /// Audit entries newest first, before `cursor` (an entry id) when given.
    public func audit(entityID: String?, before cursor: Cursor?, limit: Int, on connection: PostgresConnection) async throws
        -> (entries: [AuditEntry], nextCursor: Cursor?)
    {
        let rows = try await connection.execute(
            CatalogStatements.listAudit.name,
            [.optional(entityID), .int(Int(cursor?.afterID ?? Int64.max)), .int(limit + 1)]
        )
        var entries: [AuditEntry] = []
        for index in 0..<min(rows.count, limit) {
            let row = rows[index]
            guard let id = row.int("id"), let at = row.int("at"), let actor = row.string("actor"), let action = row.string("action"),
                let entity = row.string("entity"), let entityID = row.string("entity_id")
            else { throw RowError(table: "audit_log") }
            entries.append(
                AuditEntry(
                    id: Int64(id), at: Timestamp(secondsSinceEpoch: Int64(at)), actor: actor, action: action, entity: entity,
                    entityID: entityID, before: row.string("before"), after: row.string("after"), requestID: row.string("request_id")
                )
            )
        }
        let next = rows.count > limit ? entries.last.map { Cursor(afterID: $0.id) } : nil
        return (entries, next)
    }

    static func fieldParameters(_ draft: DealDraft) -> [PostgresValue] {
        [
            .text(draft.title), .text(draft.description), .optional(draft.imageURL), .text(draft.currency),
            .int(Int(draft.listPrice)), .int(Int(draft.groupPrice)), .int(draft.groupSize), .int(draft.groupTimeLimitSeconds),
            .int(Int(draft.startsAt.secondsSinceEpoch)), .int(Int(draft.endsAt.secondsSinceEpoch)), .int(draft.perUserLimit),
            .text(draft.status.rawValue),
        ]
    }
}
