import HTTPClient
import HTTPCodec
import IOCore
import Synchronization

/// What a run changed outside itself, put back once it is over: the sandbox's knobs the
/// scenario set (their earlier values) and the run's deals (closed, unless kept). Setup
/// reports each change as it makes it, so a setup that fails halfway, a failed load and an
/// interrupted run (gbload's SIGINT/SIGTERM handler) put back just as much as a finished run.
/// `perform` runs once; a second caller (the run finishing while the handler runs) waits for
/// the same outcome.
public final class RunCleanup: Sendable {
    public let runID: String
    /// Leave the run's deals open (`--keep-deals`).
    public let keepDeals: Bool
    let service: Endpoint
    let adminToken: String
    /// Each call's bound: an interrupted run must not wait long for a service that is gone.
    let callTimeout: Duration

    private struct State {
        var sandbox: (endpoint: Endpoint, restore: SandboxRestore)?
        var deals: [Int64] = []
        var task: Task<CheckOutcome, Never>?
    }

    private let state = Mutex(State())

    public init(runID: String, service: Endpoint, adminToken: String, keepDeals: Bool, callTimeout: Duration = .seconds(10)) {
        self.runID = runID
        self.service = service
        self.adminToken = adminToken
        self.keepDeals = keepDeals
        self.callTimeout = callTimeout
    }

    /// The sandbox's knobs are about to change; `restore` puts them back. False once the
    /// cleanup has begun (an interrupted setup): then nothing may change any more.
    func sandboxChanged(_ endpoint: Endpoint, restore: SandboxRestore) -> Bool {
        state.withLock { state in
            guard state.task == nil else { return false }
            state.sandbox = (endpoint, restore)
            return true
        }
    }

    /// A deal was made; false once the cleanup has begun (it then stays open, as test data,
    /// for `gbload cleanup`).
    func dealCreated(_ id: Int64) -> Bool {
        state.withLock { state in
            guard state.task == nil else { return false }
            state.deals.append(id)
            return true
        }
    }

    /// The deals made so far.
    public var dealIDs: [Int64] { state.withLock { $0.deals } }

    /// Whether setup changed anything yet.
    public var hasChanges: Bool { state.withLock { $0.sandbox != nil || !$0.deals.isEmpty } }

    /// Puts everything back (once), as the check `cleanup`: passed when all of it was put
    /// back; otherwise the detail says what is left and how to put it back by hand.
    public func perform() async -> CheckOutcome {
        let task = state.withLock { state in
            if let task = state.task { return task }
            let (sandbox, deals) = (state.sandbox, state.deals.sorted())
            let task = Task { await self.putBack(sandbox: sandbox, deals: deals) }
            state.task = task
            return task
        }
        return await task.value
    }

    private func putBack(sandbox: (endpoint: Endpoint, restore: SandboxRestore)?, deals: [Int64]) async -> CheckOutcome {
        let group: EventLoopGroup
        do {
            group = try EventLoopGroup(count: 1)
        } catch {
            return CheckOutcome(name: "cleanup", passed: false, detail: "could not start an event loop to clean up: \(error)")
        }
        defer { group.shutdown() }
        let clients = HTTPClients(loops: group.loops)
        var left: [String] = []
        var done: [String] = []
        if let (endpoint, restore) = sandbox {
            let client = AdminClient(clients: clients, endpoint: endpoint, bearer: nil, timeout: callTimeout)
            do {
                _ = try await client.send(
                    .post, "/_sandbox/config", body: restore.body, accept: [200, 204], call: "POST /_sandbox/config"
                )
                done.append("sandbox knobs put back (\(restore.summary))")
            } catch {
                let command = "curl -s -d '\(restore.body)' http://\(endpoint.host)/_sandbox/config"
                left.append("the sandbox's knobs are NOT put back (\(error)): \(command)")
            }
        }
        if !deals.isEmpty {
            let count = deals.count == 1 ? "1 deal" : "\(deals.count) deals"
            if keepDeals {
                done.append("kept the run's \(count) (gbload cleanup --run \(runID) closes them)")
            } else {
                var testDeals = TestDeals(service: service, adminToken: adminToken, clients: clients)
                testDeals.timeout = callTimeout
                let failures = await testDeals.close(deals)
                if failures.isEmpty {
                    done.append("closed the run's \(count)")
                } else {
                    let ids = failures.prefix(5).map { String($0.id) }.joined(separator: ", ") + (failures.count > 5 ? ", …" : "")
                    let first = failures[0].error
                    left.append("\(failures.count) of \(count) not closed (ids \(ids): \(first)); gbload cleanup --run \(runID) closes them")
                }
            }
        }
        await clients.closeIdleConnections()
        let detail = (left + done).joined(separator: "; ")
        return CheckOutcome(name: "cleanup", passed: left.isEmpty, detail: detail.isEmpty ? "nothing to put back" : detail)
    }
}
