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
                try await Task.sleep(for: .seconds(10))
                return false
            }
            let marked = try await group.next() ?? false
            group.cancelAll()
            #expect(marked, "the signal was not marked in time")
        }
    }
}
