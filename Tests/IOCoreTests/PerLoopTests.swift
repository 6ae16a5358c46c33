import IOCore
import Testing

/// A loop's own mutable state: touched only on its loop.
private final class Tally: @unchecked Sendable {
    var count = 0
}

@Suite struct PerLoopTests {
    @Test func eachLoopGetsTheValueMadeForIt() throws {
        let group = try EventLoopGroup(count: 3)
        defer { group.shutdown() }
        let labels = PerLoop(loops: group.loops) { "loop-\($0.index)" }
        #expect(labels[group.loops[2]] == "loop-2")
        #expect(labels[group.loops[0]] == "loop-0")
        #expect(Array(labels) == ["loop-0", "loop-1", "loop-2"])
        #expect(labels.count == 3 && labels.loops.map(\.index) == [0, 1, 2])
    }

    @Test func currentIsTheValueOfTheCallingLoop() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let labels = PerLoop(loops: group.loops) { $0.index }
        #expect(try await group.loops[1].submit { labels.current } == 1)
        #expect(try await group.loops[0].submit { labels.current } == 0)
        #expect(labels.current == nil)
    }

    @Test func aLoopOfAnotherGroupWithTheSameIndexHasNoCurrentValue() async throws {
        let ours = try EventLoopGroup(count: 1)
        let theirs = try EventLoopGroup(count: 1)
        defer {
            ours.shutdown()
            theirs.shutdown()
        }
        let labels = PerLoop(loops: ours.loops) { _ in "ours" }
        #expect(try await theirs.loops[0].submit { labels.current } == nil)
        #expect(try await ours.loops[0].submit { labels.current } == "ours")
    }

    @Test func eachLoopChangesItsOwnValueWithoutTouchingTheOthers() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let tallies = PerLoop(loops: group.loops) { _ in Tally() }
        for _ in 0..<5 { try await group.loops[1].submit { tallies.current!.count += 1 } }
        try await group.loops[0].submit { tallies[group.loops[0]].count += 2 }
        let counts = try await [group.loops[0].submit { tallies.current!.count }, group.loops[1].submit { tallies.current!.count }]
        #expect(counts == [2, 5])
    }

    @Test func madeInLoopOrderAndAMakerMayThrow() throws {
        struct Refused: Error {}
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        var made: [Int] = []
        _ = PerLoop(loops: group.loops) { loop in made.append(loop.index) }
        #expect(made == [0, 1])
        #expect(throws: Refused.self) {
            try PerLoop(loops: group.loops) { loop throws(Refused) -> Int in
                if loop.index == 1 { throw Refused() }
                return loop.index
            }
        }
    }

    @Test func loopsOutOfIndexOrderAreRefused() async {
        await #expect(processExitsWith: .failure) {
            let group = try EventLoopGroup(count: 2)
            _ = PerLoop(loops: group.loops.reversed()) { $0.index }
        }
    }
}

@Suite struct PerLoopCountersTests {
    @Test func eachLoopCountsOnItsOwnAndTheTotalSumsThem() async throws {
        let group = try EventLoopGroup(count: 2)
        defer { group.shutdown() }
        let figures = PerLoop(loops: group.loops, counters: 2)
        try await group.loops[0].submit { figures.current!.add(3, at: 1) }
        try await group.loops[1].submit { figures.current!.add(4, at: 1) }
        try await group.loops[1].submit { figures.current!.add(1, at: 0) }
        #expect(figures.total(at: 1) == 7 && figures.total(at: 0) == 1)
        #expect(figures[group.loops[0]].value(at: 1) == 3)
    }
}
