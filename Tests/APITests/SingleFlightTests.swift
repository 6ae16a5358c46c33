@testable import API
import Synchronization
import Testing

struct SingleFlightTests {
    /// 50 callers of one key while its load is held open: the load runs once, all get its value.
    @Test func concurrentCallersOfOneKeyShareOneLoad() async throws {
        let flights = SingleFlight<Int, Int>()
        let loads = LoadCounter()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let results = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await flights.run(7) {
                        loads.count()
                        for await _ in gate { break }  // held until every caller has arrived
                        return 42
                    }
                }
            }
            // Every caller is in: one leader loading, the others queued behind it.
            while flights.loadsInFlight == 0 || flights.waiting(for: 7) < 49 { await Task.yield() }
            opener.yield()
            var results: [Int] = []
            for try await value in group { results.append(value) }
            return results
        }
        #expect(loads.total == 1)
        #expect(results == Array(repeating: 42, count: 50))
        #expect(flights.loadsInFlight == 0)
    }

    @Test func aFailedLoadFailsItsFollowersAndTheNextCallLoadsAgain() async throws {
        struct Boom: Error {}
        let flights = SingleFlight<String, Int>()
        await #expect(throws: Boom.self) { try await flights.run("k") { throw Boom() } }
        let value = try await flights.run("k") { 5 }
        #expect(value == 5)
    }
}

final class LoadCounter: Sendable {
    private let loads = Atomic(0)
    func count() { loads.add(1, ordering: .relaxed) }
    var total: Int { loads.load(ordering: .relaxed) }
}
