public import IOCore

/// One Redis client per event loop: a handler always uses the connection of its own loop.
public final class RedisClients: Sendable {
    private let clients: [RedisClient]

    /// Clients for `loops` (indexed by `EventLoop.index`); each connects on first use.
    public init(configuration: RedisClient.Configuration, loops: [EventLoop]) {
        precondition(loops.enumerated().allSatisfy { $0.offset == $0.element.index }, "loops must be in index order")
        self.clients = loops.map { RedisClient(configuration: configuration, loop: $0) }
    }

    public func client(for loop: EventLoop) -> RedisClient {
        clients[loop.index]
    }

    /// The figures of every client, each read on its own loop.
    public func figures() async -> [RedisClient.Figures] {
        var result: [RedisClient.Figures] = []
        for client in clients {
            result.append(await Task(executorPreference: client.loop) { client.figures }.value)
        }
        return result
    }

    /// Closes every client on its own loop.
    public func close() async {
        for client in clients {
            await Task(executorPreference: client.loop) { client.close() }.value
        }
    }
}
