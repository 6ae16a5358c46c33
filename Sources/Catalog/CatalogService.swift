public import Domain
public import Idempotency
public import IOCore
public import Postgres
public import Redis

/// The catalog as the APIs use it: deals read through its cache, and admin changes that
/// invalidate the cache once committed. Each operation borrows a connection of the pool of the
/// caller's loop for as long as it takes, so no caller ever holds one.
public struct CatalogService: Sendable {
    let pools: PostgresPools
    let store: CatalogStore
    let idempotencyKeys: IdempotencyKeys
    /// The read-through deal cache (near cache, Redis, single flight); its figures for /metrics.
    package let reads: DealReads

    /// - Parameters:
    ///   - redis: where deals are cached between instances; nil reads every miss of the near
    ///     cache from PostgreSQL.
    ///   - render: the representation the cached read path stores and serves.
    ///   - idempotencyTTLSeconds: how long an Idempotency-Key of deal creation is kept.
    public init(
        pools: PostgresPools, store: CatalogStore, redis: RedisClients?, cacheSettings: DealCacheSettings, render: @escaping DealRenderer,
        idempotencyTTLSeconds: Int, loops: [EventLoop]
    ) {
        self.pools = pools
        self.store = store
        self.idempotencyKeys = IdempotencyKeys(ttlSeconds: idempotencyTTLSeconds)
        self.reads = DealReads(
            pools: pools, store: store, cache: redis.map(RedisDealCache.init(clients:)), settings: cacheSettings, render: render, loops: loops
        )
    }

    private func withConnection<Result>(on loop: EventLoop, _ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await pools.pool(for: loop).withConnection(body)
    }

    // MARK: - Reads

    /// A deal through the cache (drafts included: the caller decides who may see them).
    package func cachedDeal(id: Int64, on loop: EventLoop) async throws -> CachedDeal? {
        try await reads.deal(id: id, loop: loop)
    }

    /// Deals after `cursor` in id order; `nextCursor` is set when more may follow. `testData`:
    /// only test data (true), none (false, the public list), or both (nil).
    public func deals(
        status: DealStatus?, activeNow: Bool, includeDrafts: Bool, testData: Bool?, after cursor: Cursor?, limit: Int, on loop: EventLoop
    ) async throws -> (deals: [Deal], nextCursor: Cursor?) {
        try await withConnection(on: loop) {
            try await store.deals(
                status: status, activeNow: activeNow, includeDrafts: includeDrafts, testData: testData, after: cursor, limit: limit, on: $0
            )
        }
    }

    public func stock(id: Int64, on loop: EventLoop) async throws -> StockFigures {
        try await withConnection(on: loop) { try await store.stock(id: id, on: $0) }
    }

    /// Audit entries newest first, before `cursor` (an entry id) when given.
    public func audit(entityID: String?, before cursor: Cursor?, limit: Int, on loop: EventLoop) async throws
        -> (entries: [AuditEntry], nextCursor: Cursor?)
    {
        try await withConnection(on: loop) { try await store.audit(entityID: entityID, before: cursor, limit: limit, on: $0) }
    }

    // MARK: - Admin changes

    /// Creates a deal with its initial stock, once per Idempotency-Key: `answer` makes the
    /// stored answer of the new deal (the API's status and body); a retry gets that first
    /// answer again and creates nothing.
    public func create(
        _ draft: DealDraft, initialStock: Int, by actor: AuditActor, idempotency: IdempotencyClaim?, on loop: EventLoop,
        answer: (Deal) -> StoredResponse
    ) async throws -> StoredResponse {
        var created: Int64?
        let stored = try await withConnection(on: loop) { connection in
            try await idempotencyKeys.run(idempotency, user: actor.userID, on: connection) { connection in
                let deal = try await store.create(draft, initialStock: initialStock, by: actor, on: connection)
                created = deal.id
                return answer(deal)
            }
        }
        // After the commit: a cached "no such deal" from a probe of this id must not outlive it.
        if let created { await reads.forget(id: created, loop: loop) }
        return stored
    }

    /// Applies `changes` if the deal is at one of `expectedVersions` (nil: whatever it is).
    public func update(
        id: Int64, changes: DealChanges, expectedVersions: Set<Int>?, by actor: AuditActor, on loop: EventLoop
    ) async throws -> Deal {
        let deal = try await withConnection(on: loop) {
            try await store.update(id: id, changes: changes, expectedVersions: expectedVersions, by: actor, on: $0)
        }
        await reads.forget(id: id, loop: loop)
        return deal
    }

    /// Closes the deal; closing a closed deal changes nothing and answers it as it is.
    public func close(id: Int64, expectedVersions: Set<Int>?, by actor: AuditActor, on loop: EventLoop) async throws -> Deal {
        let deal = try await withConnection(on: loop) { try await store.close(id: id, expectedVersions: expectedVersions, by: actor, on: $0) }
        await reads.forget(id: id, loop: loop)
        return deal
    }

    public func addStock(id: Int64, quantity: Int, by actor: AuditActor, on loop: EventLoop) async throws -> StockFigures {
        try await withConnection(on: loop) { try await store.addStock(id: id, quantity: quantity, by: actor, on: $0) }
    }

    /// An admin action outside the catalog (e.g. issuing tokens), in the audit log.
    public func recordAudit(
        action: String, entity: String, entityID: String, after: String, by actor: AuditActor, on loop: EventLoop
    ) async throws {
        try await withConnection(on: loop) {
            try await store.recordAudit(action: action, entity: entity, entityID: entityID, after: after, by: actor, on: $0)
        }
    }
}
