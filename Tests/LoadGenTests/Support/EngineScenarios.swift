import IOCore
import LoadGen

/// Small scenarios and contexts for the engine tests.
enum EngineScenarios {
    static func get(_ name: String, _ path: String, chance: Double = 1, expect: Expectation = Expectation()) -> Step {
        Step(name: name, target: .service, actor: .anonymous, method: "GET", path: .literal(path), headers: [], body: nil,
             chance: chance, saves: [], expect: expect, line: 1)
    }

    static func scenario(
        _ steps: [Step], mode: LoadProfile.Mode, duration: Duration, warmup: Duration = .zero, maxInFlight: Int = 64,
        timeout: Duration = .seconds(5), iterations: Int? = nil, usersPerIteration: Int = 1
    ) -> Scenario {
        Scenario(
            name: "engine-test", description: "", users: 0, usersPerIteration: usersPerIteration, deals: [], sandboxConfig: nil,
            flows: [Flow(name: "main", weight: 1, steps: steps)],
            load: LoadProfile(mode: mode, warmup: warmup, duration: duration, ramp: .zero, maxInFlight: maxInFlight, timeout: timeout, iterations: iterations),
            settle: SettleSpec(untilDealsEnd: false, timeout: .zero),
            checks: CheckSpec(maxErrorRate: 1, soldOut: [], minGroupsSucceeded: 0, minGroupsFailed: 0)
        )
    }

    static func open(_ rate: Double, for duration: Duration) -> LoadProfile.Mode {
        .open(RateSchedule(stages: [.init(rate: rate, duration: duration)]))
    }

    static func context(port: Int, users: [(id: String, token: String)] = [], dealIDs: [String: [Int64]] = [:]) -> RunContext {
        RunContext(
            runID: "run-1", dealIDs: dealIDs, users: users, adminToken: "admin-token",
            service: Endpoint(address: try! SocketAddress(host: "127.0.0.1", port: port), host: "127.0.0.1:\(port)"), provider: nil
        )
    }

    static func run(_ scenario: Scenario, port: Int, loops: Int = 1, users: [(id: String, token: String)] = []) async throws -> RunResult {
        try await LoadRunner(scenario: scenario, context: context(port: port, users: users), loopCount: loops).run { _ in }
    }
}
