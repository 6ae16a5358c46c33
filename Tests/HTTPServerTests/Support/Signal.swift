import Testing

/// Marked by a handler when something happened (it started, it saw cancellation); tests
/// wait for it with a bound instead of sleeping.
final class Signal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream()
    }

    func mark() {
        continuation.yield()
    }

    func waitUntilMarked() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in self.stream { return true }
                return false
            }
            group.addTask {
                // A bound for a broken test, not a deadline: a full run on two shared cores
                // has kept tasks waiting for a thread for more than 10 s.
                try await Task.sleep(for: .seconds(60))
                return false
            }
            let marked = try await group.next() ?? false
            group.cancelAll()
            #expect(marked, "the signal was not marked in time")
        }
    }
}
