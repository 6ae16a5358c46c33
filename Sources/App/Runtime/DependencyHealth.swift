import IOCore
import Synchronization

/// The state of what the service depends on (PostgreSQL, Redis, the card provider), for
/// `/healthz` and `gbctl status`. A check runs at most once per `maxAge` however many probes
/// ask (callers arriving while one runs wait for it), each dependency's part bounded by
/// `timeout`: an orchestrator probing every second costs one `SELECT 1`, one PING and one
/// provider call per `maxAge`, and a hung dependency delays an answer by at most `timeout`.
final class DependencyHealth: Sendable {
    /// One dependency's part of a check.
    struct Probe: Sendable {
        let name: String
        /// host:port it talks to, shown beside its state (no credentials).
        let address: String?
        /// nil: not configured (reported "off"). Throws when the dependency is not usable.
        let check: (@Sendable (EventLoop) async throws -> Void)?
    }

    struct Report: Sendable {
        struct Entry: Sendable {
            enum Status: String, Sendable {
                case up, down, off
            }

            let name: String
            let status: Status
            let address: String?
            let error: String?
        }

        let entries: [Entry]

        /// "ok", or "degraded" when a configured dependency is down.
        var status: String { entries.contains { $0.status == .down } ? "degraded" : "ok" }
    }

    private struct State {
        var report: Report?
        var checkedAt: ContinuousClock.Instant?
        var running = false
        var waiters: [CheckedContinuation<Report, Never>] = []
    }

    private let probes: [Probe]
    private let maxAge: Duration
    private let timeout: Duration
    private let state = Mutex(State())

    init(probes: [Probe], maxAge: Duration, timeout: Duration) {
        self.probes = probes
        self.maxAge = maxAge
        self.timeout = timeout
    }

    /// The latest report when it is younger than `maxAge`, else a new one (shared with
    /// every caller that asks while it runs). The probes run on `loop`.
    func report(on loop: EventLoop) async -> Report {
        await withCheckedContinuation { continuation in
            let start = state.withLock { state -> Bool in
                if let report = state.report, let at = state.checkedAt, at.duration(to: .now) < maxAge {
                    continuation.resume(returning: report)
                    return false
                }
                state.waiters.append(continuation)
                guard !state.running else { return false }
                state.running = true
                return true
            }
            guard start else { return }
            Task(executorPreference: loop) {
                let report = await self.check(on: loop)
                let waiters = self.state.withLock { state in
                    state.report = report
                    state.checkedAt = .now
                    state.running = false
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in waiters { waiter.resume(returning: report) }
            }
        }
    }

    private func check(on loop: EventLoop) async -> Report {
        let timeout = timeout
        let entries = await withTaskGroup(of: (Int, Report.Entry).self) { group in
            for (index, probe) in probes.enumerated() {
                group.addTask(executorPreference: loop) {
                    guard let check = probe.check else {
                        return (index, .init(name: probe.name, status: .off, address: probe.address, error: nil))
                    }
                    let outcome = await TimeBound.run(timeout, on: loop) { try await check(loop) }
                    var error: String?
                    if case .failure(let failure) = outcome { error = failure.description }
                    return (index, .init(name: probe.name, status: error == nil ? .up : .down, address: probe.address, error: error))
                }
            }
            var entries: [(Int, Report.Entry)] = []
            for await entry in group { entries.append(entry) }
            return entries.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return Report(entries: entries)
    }
}
