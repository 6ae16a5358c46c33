public import IOCore

/// One Redis client per event loop: a handler always uses the connection of its own loop.
public final class RedisClients: Sendable {
    private let clients: PerLoop<RedisClient>

    /// Clients for `loops` (a group's loops, in index order); each connects on first use.
    public init(configuration: RedisClient.Configuration, loops: [EventLoop]) {
        self.clients = PerLoop(loops: loops) { RedisClient(configuration: configuration, loop: $0) }
    }

    public func client(for loop: EventLoop) -> RedisClient {
        clients[loop]
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
