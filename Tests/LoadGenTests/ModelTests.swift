import LoadGen
import Testing

@Suite struct ExpectationTests {
    @Test func emptyExpectationAcceptsOnly2xx() {
        let expect = Expectation()
        #expect(expect.accepts(status: 201, problemType: nil))
        #expect(!expect.accepts(status: 409, problemType: "sold-out"))
    }

    @Test func listedStatusesAndProblemTypesAreAccepted() {
        let expect = Expectation(statuses: [201], problemTypes: ["sold-out"])
        #expect(expect.accepts(status: 201, problemType: nil))
        #expect(expect.accepts(status: 409, problemType: "sold-out"))
        #expect(!expect.accepts(status: 409, problemType: "group-full"))
        #expect(!expect.accepts(status: 200, problemType: nil))
    }
}

@Suite struct SmokeScalingTests {
    func scenario(mode: LoadProfile.Mode) -> Scenario {
        Scenario(
            name: "s", description: "", users: 400, usersPerIteration: 1,
            deals: [DealSpec(name: "hot", stock: 100, groupSize: 2, perUserLimit: 1, groupPrice: 100, listPrice: 200, endsIn: .seconds(3_600), copies: 50)],
            sandboxConfig: nil, flows: [],
            load: LoadProfile(mode: mode, warmup: .seconds(5), duration: .seconds(60), ramp: .seconds(10), maxInFlight: 256, timeout: .seconds(5), iterations: 400),
            settle: SettleSpec(untilDealsEnd: true, timeout: .seconds(60)),
            checks: CheckSpec(maxErrorRate: 0.01, soldOut: ["hot"], minGroupsSucceeded: 1, minGroupsFailed: 1)
        )
    }

    @Test func openLoopBecomesOneShortLowRateStage() {
        let stages = RateSchedule(stages: [.init(rate: 1_000, duration: .seconds(30)), .init(rate: 5_000, duration: .seconds(30))])
        let small = scenario(mode: .open(stages)).scaledForSmoke()
        #expect(small.load.mode == .open(RateSchedule(stages: [.init(rate: Scenario.Smoke.maxRate, duration: Scenario.Smoke.duration)])))
        #expect(small.load.duration == Scenario.Smoke.duration)
        #expect(small.load.warmup == .zero && small.load.ramp == .zero)
    }

    @Test func stockUsersAndSaleWindowsShrinkButChecksStay() {
        let small = scenario(mode: .closed(vus: 64)).scaledForSmoke()
        #expect(small.load.mode == .closed(vus: Scenario.Smoke.maxVirtualUsers))
        #expect(small.users == Scenario.Smoke.maxUsers)
        #expect(small.load.iterations == Scenario.Smoke.maxUsers)
        #expect(small.deals[0].stock == Scenario.Smoke.maxStock)
        #expect(small.deals[0].copies == Scenario.Smoke.maxCopies)
        #expect(small.deals[0].endsIn == Scenario.Smoke.duration + Scenario.Smoke.saleWindowAfterLoad)
        #expect(small.checks == scenario(mode: .closed(vus: 64)).checks)
        // More buyers than units: a smoke flash sale still sells out exactly.
        #expect(small.users > small.deals[0].stock)
    }

    @Test func aClosedLoopWithoutACapGetsOneIterationPerSmokeUser() {
        var full = scenario(mode: .closed(vus: 32))
        full.load.iterations = nil
        #expect(full.scaledForSmoke().load.iterations == Scenario.Smoke.maxUsers)
    }

    @Test func dealsThatNeedNotSellOutKeepTheirStock() {
        var full = scenario(mode: .closed(vus: 64))
        full.checks.soldOut = []
        #expect(full.scaledForSmoke().deals[0].stock == 100)
    }
}

@Suite struct DurationTextTests {
    @Test func unitsAndBareSeconds() {
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("10s") == .seconds(10))
        #expect(DurationText.parse("1.5s") == .milliseconds(1_500))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3_600))
        #expect(DurationText.parse(" 3 ") == .seconds(3))
    }

    @Test func garbageIsRefused() {
        for text in ["", "s", "-1s", "ten", "1e3s", "1 s", "5d", "inf"] {
            #expect(DurationText.parse(text) == nil, "\(text)")
        }
    }
}
