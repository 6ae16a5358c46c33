import HTTPClient
import IOCore
import Synchronization

/// The one event loop gbctl's requests run on: started by the first request (commands that
/// never call a server start no thread) and stopped once, before the process exits.
enum Transport {
    private static let state = Mutex<(group: EventLoopGroup, clients: HTTPClients)?>(nil)

    /// The loop's client, starting the loop on first use. Callers are never on the loop:
    /// `HTTPClients` hops there for each request and the caller awaits without blocking.
    static func clients() throws(CLIError) -> HTTPClients {
        try state.withLock { (state) throws(CLIError) -> HTTPClients in
            if let state { return state.clients }
            let group: EventLoopGroup
            do {
                group = try EventLoopGroup(count: 1)
            } catch {
                throw CLIError(.other, "cannot start an event loop for the HTTP client: \(error)")
            }
            let clients = HTTPClients(loops: group.loops)
            state = (group, clients)
            return clients
        }
    }

    /// Closes the idle connections and stops the loop, if one was started. Not from the loop:
    /// the shutdown joins its thread.
    static func shutdown() async {
        let started = state.withLock { state in
            defer { state = nil }
            return state
        }
        guard let (group, clients) = started else { return }
        await clients.closeIdleConnections()
        group.shutdown()
    }
}
