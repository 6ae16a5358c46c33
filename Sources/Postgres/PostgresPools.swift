public import IOCore

/// One pool per event loop, so a handler always borrows a connection of its own loop:
/// nothing is shared between loops, no locks on the way to the database.
public final class PostgresPools: Sendable {
    private let pools: [PostgresPool]

    /// Pools for `loops` (indexed by `EventLoop.index`), not yet started.
    public init(configuration: PostgresPool.Configuration, loops: [EventLoop]) {
        precondition(loops.enumerated().allSatisfy { $0.offset == $0.element.index }, "loops must be in index order")
        self.pools = loops.map { PostgresPool(configuration: configuration, loop: $0) }
    }

    /// The pool of `loop`.
    public func pool(for loop: EventLoop) -> PostgresPool {
        pools[loop.index]
    }

    public var all: [PostgresPool] { pools }

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
