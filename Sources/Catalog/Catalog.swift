public import Domain
public import IOCore
public import Postgres

/// The catalog as the API uses it: each call borrows a connection from the pool of the
/// caller's loop and runs the store's statements on it.
public struct Catalog: Sendable {
    public let pools: PostgresPools
    public let store: CatalogStore

    public init(pools: PostgresPools, store: CatalogStore) {
        self.pools = pools
        self.store = store
    }

    public func deal(id: Int64, loop: EventLoop) async throws -> Deal? {
        try await pools.pool(for: loop).withConnection { try await store.deal(id: id, on: $0) }
    }

    public func deals(
        status: DealStatus?, activeNow: Bool, includeDrafts: Bool, after cursor: Cursor?, limit: Int, loop: EventLoop
    ) async throws -> (deals: [Deal], nextCursor: Cursor?) {
        try await pools.pool(for: loop).withConnection {
            try await store.deals(status: status, activeNow: activeNow, includeDrafts: includeDrafts, after: cursor, limit: limit, on: $0)
        }
    }

    public func create(_ draft: DealDraft, initialStock: Int, by actor: AuditActor, loop: EventLoop) async throws -> Deal {
        try await pools.pool(for: loop).withConnection { try await store.create(draft, initialStock: initialStock, by: actor, on: $0) }
    }

    public func update(id: Int64, changes: DealChanges, expectedVersions: Set<Int>?, by actor: AuditActor, loop: EventLoop) async throws -> Deal {
        try await pools.pool(for: loop).withConnection {
            try await store.update(id: id, changes: changes, expectedVersions: expectedVersions, by: actor, on: $0)
        }
    }

    public func close(id: Int64, expectedVersions: Set<Int>?, by actor: AuditActor, loop: EventLoop) async throws -> Deal {
        try await pools.pool(for: loop).withConnection { try await store.close(id: id, expectedVersions: expectedVersions, by: actor, on: $0) }
    }

    public func addStock(id: Int64, quantity: Int, by actor: AuditActor, loop: EventLoop) async throws -> StockFigures {
        try await pools.pool(for: loop).withConnection { try await store.addStock(id: id, quantity: quantity, by: actor, on: $0) }
    }

    public func stock(id: Int64, loop: EventLoop) async throws -> StockFigures {
        try await pools.pool(for: loop).withConnection { try await store.stock(id: id, on: $0) }
    }

    public func audit(entityID: String?, before cursor: Cursor?, limit: Int, loop: EventLoop) async throws
        -> (entries: [AuditEntry], nextCursor: Cursor?)
    {
        try await pools.pool(for: loop).withConnection { try await store.audit(entityID: entityID, before: cursor, limit: limit, on: $0) }
    }
}
