import LoadGen
import Testing

/// Flows are picked per iteration by weight (the `mixed` scenario relies on it).
@Suite(.serialized) struct EngineFlowWeightTests {
    @Test func flowsArePickedInProportionToTheirWeights() async throws {
        let server = try await EngineTestServer.start()
        var scenario = EngineScenarios.scenario([], mode: .closed(vus: 4), duration: .seconds(60), iterations: 800)
        scenario.flows = [
            Flow(name: "often", weight: 3, steps: [EngineScenarios.get("often", "/fast")]),
            Flow(name: "rarely", weight: 1, steps: [EngineScenarios.get("rarely", "/fast")]),
        ]
        let result = try await EngineScenarios.run(scenario, port: server.port)
        let often = result.steps.first { $0.name == "often" }?.requests ?? 0
        let rarely = result.steps.first { $0.name == "rarely" }?.requests ?? 0
        #expect(often + rarely == 800)
        // 800 draws at p = 3/4: 600 expected, standard deviation ~12; five of them either way.
        #expect((540...660).contains(often), "often \(often), rarely \(rarely)")
        try await server.stop()
    }
}
