import IOCore
import Logging
import ServiceLifecycle
import Synchronization

/// Periodic background work (expiring orders, failing groups, the outbox, …), each job a task
/// on one loop, spread over the loops. A job that handled a full batch runs again at once;
/// otherwise it waits its period. Errors are logged and counted, and the job carries on: the
/// database being away for a while must not stop the sweeps for good.
final class BackgroundWorkers: Service, Sendable {
    struct Job: Sendable {
        let name: String
        let period: Duration
        let batchSize: Int
        /// One batch; answers how many items it handled.
        let run: @Sendable (EventLoop) async throws -> Int
    }

    private struct Figures: Sendable {
        var runs = 0
        var items = 0
        var errors = 0
    }

    private let jobs: [Job]
    private let loops: [EventLoop]
    private let logger: Logger
    private let figures: Mutex<[String: Figures]>

    init(jobs: [Job], loops: [EventLoop], logger: Logger) {
        self.jobs = jobs
        self.loops = loops
        self.logger = logger
        figures = Mutex(Dictionary(uniqueKeysWithValues: jobs.map { ($0.name, Figures()) }))
    }

    func run() async throws {
        // With no jobs (workers off) this service still lives until shutdown: a service that
        // returns early would stop the whole group.
        guard !jobs.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for (index, job) in self.jobs.enumerated() {
                    let loop = self.loops[index % self.loops.count]
                    group.addTask(executorPreference: loop) { await self.repeatUntilCancelled(job, on: loop) }
                }
            }
        }
    }

    private func repeatUntilCancelled(_ job: Job, on loop: EventLoop) async {
        while !Task.isCancelled {
            var handled = 0
            do {
                handled = try await job.run(loop)
                figures.withLock {
                    $0[job.name]?.runs += 1
                    $0[job.name]?.items += handled
                }
            } catch is CancellationError {
                return
            } catch {
                figures.withLock { $0[job.name]?.errors += 1 }
                logger.warning("background job failed", metadata: ["job": "\(job.name)", "error": "\(error)"])
            }
            if handled >= job.batchSize { continue }
            do { try await Task.sleep(for: job.period) } catch { return }
        }
    }

    /// Prometheus text of the jobs' figures.
    func render(into text: inout String) {
        let snapshot = figures.withLock { $0 }
        let names = snapshot.keys.sorted()
        text += "# HELP groupbuy_worker_runs_total Batches run by each background job.\n# TYPE groupbuy_worker_runs_total counter\n"
        for name in names { text += "groupbuy_worker_runs_total{job=\"\(name)\"} \(snapshot[name]!.runs)\n" }
        text += "# HELP groupbuy_worker_items_total Items handled by each background job.\n# TYPE groupbuy_worker_items_total counter\n"
        for name in names { text += "groupbuy_worker_items_total{job=\"\(name)\"} \(snapshot[name]!.items)\n" }
        text += "# HELP groupbuy_worker_errors_total Failed batches of each background job.\n# TYPE groupbuy_worker_errors_total counter\n"
        for name in names { text += "groupbuy_worker_errors_total{job=\"\(name)\"} \(snapshot[name]!.errors)\n" }
    }
}
