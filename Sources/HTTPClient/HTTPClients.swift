public import IOCore

/// One `HTTPClient` per loop of a group: callers on a loop use that loop's client (no
/// hop, no lock); callers elsewhere are served by the loops in turn.
public final class HTTPClients: Sendable {
    private let perLoop: PerLoop<HTTPClient>
    private let next = RoundRobin()

    /// Clients for `loops` (a group's loops, in index order).
    public init(loops: [EventLoop], configuration: HTTPClientConfiguration = HTTPClientConfiguration()) {
        precondition(!loops.isEmpty, "HTTPClients needs at least one loop")
        self.perLoop = PerLoop(loops: loops) { HTTPClient(loop: $0, configuration: configuration) }
    }

    /// The clients, in the order of the loops they were made for.
    public var clients: [HTTPClient] { Array(perLoop) }

    /// The client of the loop the caller runs on, if it is one of ours.
    public var current: HTTPClient? { perLoop.current }

    /// Sends `request` from any context: on one of our loops directly, else in a task on
    /// the next loop. Errors as `HTTPClient.execute`.
    public func execute(
        _ request: HTTPClientRequest,
        to address: SocketAddress,
        timeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        if let client = current {
            return try await client.execute(request, to: address, timeout: timeout)
        }
        let client = perLoop[next.take(modulo: perLoop.count)]
        let task = Task(executorPreference: client.loop) {
            try await client.execute(request, to: address, timeout: timeout)
        }
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Closes the idle connections of every loop.
    public func closeIdleConnections() async {
        for client in perLoop {
            try? await client.loop.submit { client.closeIdleConnections() }
        }
    }
}

import Synchronization

/// A shared counter for spreading callers over loops.
final class RoundRobin: Sendable {
    private let counter = Atomic<Int>(0)

    func take(modulo count: Int) -> Int {
        counter.wrappingAdd(1, ordering: .relaxed).oldValue % count
    }
}
