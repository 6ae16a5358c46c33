public import IOCore
public import Postgres

/// The catalog as the API uses it: the store's statements on a connection borrowed from the
/// pool of the caller's loop.
public struct Catalog: Sendable {
    public let pools: PostgresPools
    public let store: CatalogStore

    public init(pools: PostgresPools, store: CatalogStore) {
        self.pools = pools
        self.store = store
    }

    /// Runs `body` with the store and a connection of `loop`'s pool, given back afterwards.
    public func run<Result>(on loop: EventLoop, _ body: (CatalogStore, PostgresConnection) async throws -> Result) async throws -> Result {
        try await pools.pool(for: loop).withConnection { try await body(store, $0) }
    }
}
