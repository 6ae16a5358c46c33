import GroupBuyTesting
import Histogram
import IOCore
import LoadGen
import Synchronization
import Testing

/// The engine against real servers over real TCP. Serialized: the timing tests should not
/// share the two cores with each other. Only lower bounds and conditions on time.
@Suite(.serialized) struct EngineRunTests {
    @Test func openLoopHoldsTheAskedRate() async throws {
        let server = try await EngineTestServer.start()
        let scenario = EngineScenarios.scenario([EngineScenarios.get("fast", "/fast")], mode: EngineScenarios.open(500, for: .seconds(3)),
                                                duration: .seconds(3), warmup: .milliseconds(500))
        let result = try await EngineScenarios.run(scenario, port: server.port)
        // The schedule has exactly 1500 arrivals in the measured part. Requests are counted by
        // completion, so answers straddling either edge move the count a little: a warm-up
        // arrival answered after the measured part began counts (many, when the loaded machine
        // stalls the loop at that moment), the last arrivals answered after its end do not.
        #expect(result.mode == "open" && result.targetRate == 500)
        #expect(result.overall.requests >= 1425 && result.overall.requests <= 1575, "\(result.overall.requests)")
        #expect(abs(result.overall.throughput - 500) <= 25, "\(result.overall.throughput)")
        #expect(result.overall.errors == 0)
        #expect(result.iterationsStarted == 1500)
        #expect(result.steps.map(\.name) == ["fast"])
        #expect(result.timeline.count == 3)
        #expect(result.timeline.reduce(0) { $0 + $1.requests } == result.overall.requests)
        try await server.stop()
    }

    @Test func twoLoopsShareTheRate() async throws {
        let server = try await EngineTestServer.start()
        let scenario = EngineScenarios.scenario([EngineScenarios.get("fast", "/fast")], mode: EngineScenarios.open(400, for: .seconds(2)),
                                                duration: .seconds(2), warmup: .milliseconds(300))
        let result = try await EngineScenarios.run(scenario, port: server.port, loops: 2)
        #expect(result.iterationsStarted == 800)
        #expect(result.overall.requests >= 760, "\(result.overall.requests)")
        try await server.stop()
    }

    /// Against a server that holds every answer during one second until that second ends:
    /// measured from intended send times the stall fills the tail; a closed loop (one user)
    /// sees it once.
    @Test func openLoopShowsAStallThatAClosedLoopHides() async throws {
        let server = try await EngineTestServer.start()
        let stalled = [EngineScenarios.get("stall", "/stall")]

        server.stallStart.store(LoopInstant.now().nanoseconds + 1_000_000_000, ordering: .relaxed)
        // 32 connections at most: most of the stalled second's arrivals wait in the backlog.
        let open = try await EngineScenarios.run(
            EngineScenarios.scenario(stalled, mode: EngineScenarios.open(200, for: .seconds(3)), duration: .seconds(3), maxInFlight: 32),
            port: server.port
        )
        server.stallStart.store(LoopInstant.now().nanoseconds + 1_000_000_000, ordering: .relaxed)
        let closed = try await EngineScenarios.run(
            EngineScenarios.scenario(stalled, mode: .closed(vus: 1), duration: .seconds(3), maxInFlight: 32), port: server.port
        )

        let openSummary = open.overall.summary
        #expect(open.overall.errors == 0)
        #expect(openSummary.p99 >= 800_000, "p99 \(openSummary.p99) µs")
        #expect(openSummary.max >= 900_000)
        #expect(openSummary.p50 * 4 < openSummary.p99, "p50 \(openSummary.p50) µs")
        // About a third of the arrivals fall in the stalled second; the slower half of them waited ≥ 0.5 s.
        let openSlow = Double(open.overall.latency.count(within: 500_000...UInt64.max)) / Double(open.overall.requests)
        #expect(openSlow >= 0.10, "\(openSlow)")
        // The backlog requests (beyond 32 on the wire) were answered only after the stall, and their waiting counts.
        #expect(open.overall.latency.count(within: 100_000...UInt64.max) >= 100)

        let closedSlow = Double(closed.overall.latency.count(within: 500_000...UInt64.max)) / Double(max(1, closed.overall.requests))
        #expect(closed.overall.latency.max >= 500_000, "the closed loop's one request did wait")
        #expect(closedSlow * 5 < openSlow, "closed \(closedSlow) vs open \(openSlow)")
        try await server.stop()
    }

    @Test func closedLoopHonoursTheIterationCapAndEndsEarly() async throws {
        let server = try await EngineTestServer.start()
        let scenario = EngineScenarios.scenario([EngineScenarios.get("fast", "/fast")], mode: .closed(vus: 4), duration: .seconds(30), iterations: 50)
        let result = try await EngineScenarios.run(scenario, port: server.port, loops: 2)
        #expect(result.iterationsStarted == 50 && result.iterationsCompleted == 50)
        #expect(result.overall.requests == 50)
        #expect(result.measuredSeconds < 30)
        #expect(result.virtualUsers == 4)
        // The run ended within its first seconds: only its last timeline second is partly covered.
        let last = try #require(result.timeline.last)
        #expect(result.timeline.dropLast().allSatisfy { $0.covered == 1 })
        #expect(abs(last.covered - (result.measuredSeconds - Double(last.second))) < 1e-9 && last.covered <= 1, "\(last.covered)")
        try await waitUntil("the engine closed its connections", within: 60) { try await server.openConnections() == 0 }
        try await server.stop()
    }

    @Test func savesVariablesSkipsByChanceAndCountsProblemTypes() async throws {
        let server = try await EngineTestServer.start()
        let create = Step(name: "create", target: .service, actor: .buyer(0), method: "POST", path: .literal("/groups"), headers: [],
                          body: Template([.literal(#"{"n": "#), .iteration, .literal("}")]), chance: 1,
                          saves: [(variable: "group", path: "id"), (variable: "order", path: "order.id")], expect: Expectation(statuses: [201]), line: 1)
        let read = Step(name: "read", target: .service, actor: .anonymous, method: "GET", path: Template([.literal("/groups/"), .saved("group")]),
                        headers: [], body: nil, chance: 1, saves: [], expect: Expectation(), line: 2)
        let never = Step(name: "never", target: .service, actor: .anonymous, method: "POST", path: .literal("/groups"), headers: [],
                         body: nil, chance: 0, saves: [(variable: "ghost", path: "id")], expect: Expectation(), line: 3)
        let needsGhost = Step(name: "needs-ghost", target: .service, actor: .anonymous, method: "GET",
                              path: Template([.literal("/groups/"), .saved("ghost")]), headers: [], body: nil, chance: 1, saves: [], expect: Expectation(), line: 4)
        let buy = Step(name: "buy", target: .service, actor: .anonymous, method: "POST", path: .literal("/buy"), headers: [], body: nil,
                       chance: 1, saves: [], expect: Expectation(statuses: [201], problemTypes: ["sold-out"]), line: 5)
        let after = EngineScenarios.get("after-buy", "/fast")
        let scenario = EngineScenarios.scenario([create, read, never, needsGhost, buy, after], mode: .closed(vus: 2), duration: .seconds(10), iterations: 20)
        let result = try await EngineScenarios.run(scenario, port: server.port, users: [(id: "u1", token: "t1")])
        let steps = Dictionary(uniqueKeysWithValues: result.steps.map { ($0.name, $0) })
        #expect(result.steps.map(\.name) == ["create", "read", "never", "needs-ghost", "buy", "after-buy"])
        #expect(steps["create"]?.requests == 20 && steps["create"]?.statuses == [201: 20])
        #expect(steps["read"]?.statuses == [200: 20], "the saved id 42 made the path")
        #expect(steps["never"]?.requests == 0 && steps["needs-ghost"]?.requests == 0)
        #expect(steps["buy"]?.problemTypes == ["sold-out": 20] && steps["buy"]?.errors == 0, "sold-out is expected")
        #expect(steps["after-buy"]?.requests == 0, "a 409 ends the iteration, expected or not")
        #expect(result.iterationsCompleted == 0)
        #expect(result.iterationEndings == [IterationEnding(step: "buy", answer: "sold-out", expected: true, count: 20)])
        #expect(result.iterationsUnfinished == 0)
        #expect(result.overall.requests == 60 && result.overall.errors == 0)
        #expect(server.seen.load(ordering: .relaxed) == 20)
        try await server.stop()
    }

    @Test func unexpectedStatusesAreErrors() async throws {
        let server = try await EngineTestServer.start()
        let scenario = EngineScenarios.scenario([EngineScenarios.get("broken", "/plain-error")], mode: .closed(vus: 1), duration: .seconds(10), iterations: 5)
        let result = try await EngineScenarios.run(scenario, port: server.port)
        #expect(result.overall.errors == 5 && result.overall.statuses == [500: 5] && result.overall.problemTypes == ["-": 5])
        #expect(result.errorRate == 1)
        #expect(result.iterationEndings == [IterationEnding(step: "broken", answer: "500", expected: false, count: 5)])
        try await server.stop()
    }

    @Test func aServerThatNeverAnswersGivesTimeouts() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let scenario = EngineScenarios.scenario([EngineScenarios.get("silent", "/")], mode: EngineScenarios.open(20, for: .seconds(1)),
                                                duration: .seconds(1), maxInFlight: 4, timeout: .milliseconds(200))
        let result = try await EngineScenarios.run(scenario, port: listener.port)
        // Those due in the last 200 ms time out after the end and are not counted.
        #expect(result.overall.requests >= 10, "\(result.overall.requests)")
        #expect(result.overall.transportErrors.keys.sorted() == [.timeout])
        #expect(result.overall.errors == result.overall.requests)
        #expect(result.overall.latency.totalCount == 0, "transport failures have no latency")
        #expect(result.iterationEndings.map(\.answer) == ["timeout"] && result.iterationEndings.allSatisfy { !$0.expected })
    }

    @Test func refusedConnectionsAreConnectErrors() async throws {
        let port = try refusedPort()
        let scenario = EngineScenarios.scenario([EngineScenarios.get("refused", "/")], mode: EngineScenarios.open(50, for: .seconds(1)), duration: .seconds(1))
        let result = try await EngineScenarios.run(scenario, port: port)
        #expect(result.overall.requests >= 45)
        #expect(result.overall.transportErrors == [.connect: result.overall.requests])
    }

    @Test func answersCutOffAreResets() async throws {
        let server = try CuttingServer()
        defer { server.stop() }
        let scenario = EngineScenarios.scenario([EngineScenarios.get("cut", "/")], mode: .closed(vus: 1), duration: .seconds(10), iterations: 10)
        let result = try await EngineScenarios.run(scenario, port: server.port)
        #expect(result.overall.requests == 10)
        #expect(result.overall.transportErrors == [.reset: 10])
    }

    @Test func manyRunsInOneProcessLeaveNoConnectionsBehind() async throws {
        let server = try await EngineTestServer.start()
        for _ in 0..<5 {
            let scenario = EngineScenarios.scenario([EngineScenarios.get("fast", "/fast")], mode: .closed(vus: 8), duration: .milliseconds(300))
            let result = try await EngineScenarios.run(scenario, port: server.port, loops: 2)
            #expect(result.overall.requests > 0 && result.overall.errors == 0)
        }
        try await waitUntil("the engine closed its connections", within: 60) { try await server.openConnections() == 0 }
        try await server.stop()
    }
}
