@testable import Catalog
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

extension SingleFlightTests {
    /// A caller arriving after `forget` (a change committed) does not get the answer of the
    /// load already under way, which may have read before the change; one waiting before does.
    @Test func aCallerAfterForgetStartsALoadOfItsOwn() async throws {
        let flights = SingleFlight<Int, Int>()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let before = Task {
            try await flights.run(7) {
                for await _ in gate { break }  // the old load is held until the end
                return 1
            }
        }
        while flights.loadsInFlight == 0 { await Task.yield() }
        let early = Task { try await flights.run(7) { 99 } }
        while flights.waiting(for: 7) == 0 { await Task.yield() }
        flights.forget(7)
        let after = try await flights.run(7) { 2 }
        opener.yield()
        #expect(after == 2)
        #expect(try await before.value == 1)
        #expect(try await early.value == 1)
        #expect(flights.loadsInFlight == 0)
    }
}
