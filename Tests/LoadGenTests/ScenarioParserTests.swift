import Foundation
import LoadGen
import Testing

@Suite struct ScenarioFilesTests {
    @Test func everyShippedScenarioParses() throws {
        let files = try shippedScenarioFiles()
        #expect(Set(files.map(\.lastPathComponent)).isSuperset(of: ["flash-sale.yaml", "group-lifecycle.yaml", "browse.yaml", "mixed.yaml", "webhook-storm.yaml"]))
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            do {
                let scenario = try ScenarioParser.parse(text, file: file.lastPathComponent, environment: [:])
                #expect(!scenario.description.isEmpty, "\(file.lastPathComponent) has no description")
                #expect(!scenario.flows.isEmpty)
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    @Test func flashSaleIsOneHotDealBoughtOncePerBuyer() throws {
        let text = try String(contentsOf: scenarioRepositoryRoot.appendingPathComponent("loadtest/scenarios/flash-sale.yaml"), encoding: .utf8)
        let scenario = try ScenarioParser.parse(text, file: "flash-sale.yaml", environment: [:])
        #expect(scenario.name == "flash-sale")
        #expect(scenario.deals == [DealSpec(name: "hot", stock: 2000, groupSize: 2, perUserLimit: 1, groupPrice: 1999, listPrice: 2999, endsIn: .seconds(3600), copies: 1)])
        #expect(scenario.load.mode == .closed(vus: 64))
        // Each buyer tries once (no more iterations than buyers), and there are more tries than units.
        let iterations = try #require(scenario.load.iterations)
        #expect(iterations <= scenario.users)
        #expect(iterations > scenario.deals[0].stock)
        #expect(scenario.checks.soldOut == ["hot"])
        #expect(scenario.checks.maxErrorRate == 0)
        let step = try #require(scenario.flows.first?.steps.first)
        #expect(step.actor == .buyer(0))
        #expect(step.method == "POST")
        #expect(step.body == Template([.literal(#"{"dealId": "#), .dealID("hot"), .literal(#", "quantity": 1}"#)]))
        #expect(step.headers.map(\.name) == ["Idempotency-Key", "Content-Type"])
        #expect(step.headers[0].value == Template([.runID, .literal("-"), .iteration]))
        #expect(step.expect.accepts(status: 201, problemType: nil))
        #expect(step.expect.accepts(status: 409, problemType: "sold-out"))
        #expect(!step.expect.accepts(status: 409, problemType: "group-full"))
        #expect(!scenario.usesProvider)
    }

    @Test func groupLifecycleUsesThreeBuyersAndTheProvider() throws {
        let text = try String(contentsOf: scenarioRepositoryRoot.appendingPathComponent("loadtest/scenarios/group-lifecycle.yaml"), encoding: .utf8)
        let scenario = try ScenarioParser.parse(text, file: "group-lifecycle.yaml", environment: [:])
        #expect(scenario.usersPerIteration == 3)
        #expect(scenario.usesProvider)
        #expect(scenario.settle.untilDealsEnd)
        let steps = scenario.flows[0].steps
        #expect(steps.map(\.name) == ["start", "join", "join", "pay", "confirm", "pay", "confirm", "pay", "confirm"])
        #expect(steps[2].chance == 0.6)
        #expect(steps[4].target == .provider)
        #expect(steps[4].path == Template([.literal("/v1/payment_intents/"), .saved("intent0"), .literal("/confirm")]))
        #expect(steps[0].saves.map(\.variable) == ["group", "order0"])
        #expect(steps[0].saves.map(\.path) == ["group.id", "order.id"])
    }

    @Test func webhookStormSendsItsKnobsToTheSandbox() throws {
        let text = try String(contentsOf: scenarioRepositoryRoot.appendingPathComponent("loadtest/scenarios/webhook-storm.yaml"), encoding: .utf8)
        let scenario = try ScenarioParser.parse(text, file: "webhook-storm.yaml", environment: [:])
        #expect(scenario.sandboxConfig == #"{"duplicate":3,"reorder_batch":8,"reorder_mode":"shuffle","webhook_delay_ms":200,"seed":7}"#)
    }
}

@Suite struct ScenarioDefaultsTests {
    @Test func aMinimalFileGetsEveryDefault() throws {
        let scenario = try ScenarioParser.parse("steps:\n  - request: GET /v1/deals\n", file: "loadtest/scenarios/tiny.yaml", environment: [:])
        #expect(scenario.name == "tiny")
        #expect(scenario.users == 100)
        #expect(scenario.usersPerIteration == 1)
        #expect(scenario.load == LoadProfile(mode: .closed(vus: 10), warmup: .zero, duration: .seconds(10), ramp: .zero, maxInFlight: 256, timeout: .seconds(5), iterations: nil))
        #expect(scenario.settle == SettleSpec(untilDealsEnd: false, timeout: .seconds(60)))
        #expect(scenario.checks == CheckSpec(maxErrorRate: 0.01, soldOut: [], minGroupsSucceeded: 0, minGroupsFailed: 0))
        let step = scenario.flows[0].steps[0]
        #expect(step.name == "GET /v1/deals")
        #expect(step.actor == .anonymous)
        #expect(step.target == .service)
        #expect(step.chance == 1)
        #expect(step.expect == Expectation())
        #expect(step.line == 2)
    }

    @Test func aDealWithoutSettingsGetsDefaults() throws {
        let scenario = try ScenarioParser.parse("deals:\n  plain:\nsteps:\n  - request: GET /v1/deals/${deal.plain}\n", file: "t.yaml", environment: [:])
        #expect(scenario.deals == [DealSpec(name: "plain", stock: 1000, groupSize: 2, perUserLimit: 1, groupPrice: 1000, listPrice: 1500, endsIn: .seconds(3600), copies: 1)])
    }

    @Test func usersPerIterationFollowsTheHighestBuyer() throws {
        let text = """
            steps:
              - { as: 0, request: POST /v1/groups, save: { group: group.id } }
              - { as: 2, request: 'POST /v1/groups/${group}/join?u=${user.1}' }
            """
        let scenario = try ScenarioParser.parse(text, file: "t.yaml", environment: [:])
        #expect(scenario.usersPerIteration == 3)
    }

    @Test func openLoadWithStagesSumsTheDurations() throws {
        let text = """
            load:
              stages: [{rate: 200, duration: 5s}, {rate: 400, duration: 90s}]
              ramp: 500ms
            steps: [{request: GET /v1/deals}]
            """
        let load = try ScenarioParser.parse(text, file: "t.yaml", environment: [:]).load
        #expect(load.mode == .open(RateSchedule(stages: [.init(rate: 200, duration: .seconds(5)), .init(rate: 400, duration: .seconds(90))])))
        #expect(load.duration == .seconds(95))
        #expect(load.ramp == .milliseconds(500))
    }

    @Test func templatesResolveEveryReferenceForm() throws {
        let text = """
            deals: { hot: {} }
            steps:
              - request: GET /a/${deal.hot}/${deal.any}/${run}/${iteration}/${random(1, 9)}/${user.0}/${env.REGION}/$${literal}
            """
        let step = try ScenarioParser.parse(text, file: "t.yaml", environment: ["REGION": "eu"]).flows[0].steps[0]
        #expect(step.path == Template([
            .literal("/a/"), .dealID("hot"), .literal("/"), .anyDealID, .literal("/"), .runID, .literal("/"), .iteration, .literal("/"),
            .randomInt(1...9), .literal("/"), .userID(0), .literal("/eu/${literal}"),
        ]))
    }

    @Test func aVariableSavedByAStepThatMaySkipIsAllowed() throws {
        let text = """
            steps:
              - { request: POST /v1/groups, as: 0, chance: 0.5, save: { group: group.id } }
              - { request: 'POST /v1/groups/${group}/join', as: 1 }
            """
        #expect(scenarioError(text) == nil)
    }

    @Test func problemTypesAloneStillAcceptAny2xx() throws {
        let text = "steps:\n  - { request: POST /v1/groups, as: 0, expect: sold-out }\n"
        let expect = try ScenarioParser.parse(text, file: "t.yaml", environment: [:]).flows[0].steps[0].expect
        #expect(expect.accepts(status: 201, problemType: nil))
        #expect(expect.accepts(status: 409, problemType: "sold-out"))
        #expect(!expect.accepts(status: 500, problemType: nil))
    }
}
