public import IOCore

/// One pool per event loop, so a handler always borrows a connection of its own loop:
/// nothing is shared between loops, no locks on the way to the database.
public final class PostgresPools: Sendable {
    private let pools: PerLoop<PostgresPool>

    /// Pools for `loops` (a group's loops, in index order), not yet started.
    public init(configuration: PostgresPool.Configuration, loops: [EventLoop]) {
        self.pools = PerLoop(loops: loops) { PostgresPool(configuration: configuration, loop: $0) }
    }

    /// The pool of `loop`.
    public func pool(for loop: EventLoop) -> PostgresPool {
        pools[loop]
    }

    public var all: [PostgresPool] { Array(pools) }

    /// Starts every pool on its own loop (opens the minimum connections).
    public func start() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for pool in pools {
                group.addTask(executorPreference: pool.loop) { try await pool.start() }
            }
            try await group.waitForAll()
        }
    }

    /// Closes every pool on its own loop.
    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for pool in pools {
                group.addTask(executorPreference: pool.loop) { pool.close() }
            }
        }
    }

    /// The figures of every pool, in loop order (readable from any thread).
    public var figures: [PostgresPool.Figures] { pools.map(\.figures) }
}
