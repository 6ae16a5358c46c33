public import IOCore
public import Postgres

/// Groups and orders as the API uses them: the store's operations on a connection borrowed
/// from the pool of the caller's loop.
public struct Orders: Sendable {
    public let pools: PostgresPools
    public let store: OrdersStore

    public init(pools: PostgresPools, store: OrdersStore) {
        self.pools = pools
        self.store = store
    }

    /// Runs `body` with the store and a connection of `loop`'s pool, given back afterwards.
    public func run<Result>(on loop: EventLoop, _ body: (OrdersStore, PostgresConnection) async throws -> Result) async throws -> Result {
        try await pools.pool(for: loop).withConnection { try await body(store, $0) }
    }
}
