import IOCore
import Synchronization

/// An answer within a time limit from work that may not end by itself in time (a connect to
/// a frozen server, a provider that stopped answering): for health checks and scrapes.
enum TimeBound {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs `body` on `loop` and answers its outcome, or a failure once `limit` has passed. A
    /// body still running then is left to finish on its own (its own timeouts end it).
    static func run<Value: Sendable>(
        _ limit: Duration, on loop: EventLoop, _ body: @escaping @Sendable () async throws -> Value
    ) async -> Result<Value, Failure> {
        let outcome = FirstOutcome<Value>()
        return await withCheckedContinuation { continuation in
            outcome.set(continuation)
            let timer = Task {
                try await Task.sleep(for: limit)
                outcome.resume(.failure(Failure(description: "no answer within \(limit)")))
            }
            Task(executorPreference: loop) {
                do {
                    outcome.resume(.success(try await body()))
                } catch {
                    outcome.resume(.failure(Failure(description: "\(error)")))
                }
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first outcome offered; later ones are dropped.
private final class FirstOutcome<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Result<Value, TimeBound.Failure>, Never>?>(nil)

    func set(_ continuation: CheckedContinuation<Result<Value, TimeBound.Failure>, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(_ outcome: Result<Value, TimeBound.Failure>) {
        continuation.withLock { $0.take() }?.resume(returning: outcome)
    }
}
