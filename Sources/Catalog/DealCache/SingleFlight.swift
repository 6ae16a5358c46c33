import Synchronization

/// At most one load per key at a time in this process: callers asking for a key that is
/// already being loaded wait for that load's result instead of starting their own (no
/// stampede on the database when a popular cache entry expires). Only the miss path locks.
///
/// `forget(key)` after a change detaches the load under way: it may have read before the
/// change, so callers that come after the change start a load of their own.
final class SingleFlight<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private enum Turn {
        case leader(Flight)
        case follower(Result<Value, any Error>)
    }

    /// One load and the callers waiting for it; touched only under `inFlight`'s lock.
    private final class Flight: @unchecked Sendable {
        var followers: [CheckedContinuation<Turn, Never>] = []
    }

    private let inFlight = Mutex<[Key: Flight]>([:])

    /// Runs `load` for `key`, or waits for the run already under way.
    func run(_ key: Key, _ load: () async throws -> Value) async throws -> Value {
        // Check and enqueue in one critical section, so the leader cannot finish in between.
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            inFlight.withLock { table in
                if let flight = table[key] {
                    flight.followers.append(continuation)
                } else {
                    let flight = Flight()
                    table[key] = flight
                    continuation.resume(returning: .leader(flight))
                }
            }
        }
        switch turn {
        case .follower(let result):
            return try result.get()
        case .leader(let flight):
            let result: Result<Value, any Error>
            do { result = .success(try await load()) } catch { result = .failure(error) }
            let followers = inFlight.withLock { table in
                if table[key] === flight { table[key] = nil }
                defer { flight.followers = [] }
                return flight.followers
            }
            for follower in followers { follower.resume(returning: .follower(result)) }
            return try result.get()
        }
    }

    /// Later callers of `key` start a new load; those already waiting get the current one's.
    func forget(_ key: Key) {
        inFlight.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Keys being loaded now (for tests).
    var loadsInFlight: Int { inFlight.withLock { $0.count } }

    /// Callers waiting for the load of `key` (for tests).
    func waiting(for key: Key) -> Int { inFlight.withLock { $0[key]?.followers.count ?? 0 } }
}
