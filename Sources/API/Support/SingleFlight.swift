import Synchronization

/// At most one load per key at a time in this process: callers asking for a key that is
/// already being loaded wait for that load's result instead of starting their own (no
/// stampede on the database when a popular cache entry expires). Only the miss path locks.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private enum Turn {
        case leader
        case follower(Result<Value, any Error>)
    }

    private let inFlight = Mutex<[Key: [CheckedContinuation<Turn, Never>]]>([:])

    /// Runs `load` for `key`, or waits for the run already under way.
    func run(_ key: Key, _ load: () async throws -> Value) async throws -> Value {
        // Check and enqueue in one critical section, so the leader cannot finish in between.
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            inFlight.withLock { table in
                if table[key] != nil {
                    table[key]!.append(continuation)
                } else {
                    table[key] = []
                    continuation.resume(returning: .leader)
                }
            }
        }
        switch turn {
        case .follower(let result):
            return try result.get()
        case .leader:
            let result: Result<Value, any Error>
            do { result = .success(try await load()) } catch { result = .failure(error) }
            let followers = inFlight.withLock { $0.removeValue(forKey: key) ?? [] }
            for follower in followers { follower.resume(returning: .follower(result)) }
            return try result.get()
        }
    }

    /// Keys being loaded now (for tests).
    var loadsInFlight: Int { inFlight.withLock { $0.count } }

    /// Callers waiting for the load of `key` (for tests).
    func waiting(for key: Key) -> Int { inFlight.withLock { $0[key]?.count ?? 0 } }
}
